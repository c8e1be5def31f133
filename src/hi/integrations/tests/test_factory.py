"""The factory's registry is the one list of integrations, and a gateway's id must be its registration key."""

from __future__ import annotations

import pytest

from hi.integrations import integration_factory
from hi.integrations.exceptions import ConfigurationError


def test_every_shipped_gateway_declares_the_id_it_is_registered_under():
    for integration_id in integration_factory.available_integration_ids():
        assert integration_factory.get_gateway_class(integration_id).integration_id == integration_id


def test_a_registration_under_another_id_is_refused(monkeypatch):
    monkeypatch.setitem(integration_factory._REGISTRY, "lights", "hi.services.hass.integration:HassGateway")
    with pytest.raises(ConfigurationError, match="declares integration_id 'hass' but is registered as 'lights'"):
        integration_factory.get_gateway_class("lights")
    assert "lights" not in integration_factory.available_integration_ids()


def test_an_unknown_id_names_the_known_ones():
    # the id itself is not matched: messages are redacted, and another test may have made a short word a secret
    with pytest.raises(ConfigurationError, match=r"unknown integration '.*'; known: .*hass"):
        integration_factory.get_gateway_class("no-such-integration")
