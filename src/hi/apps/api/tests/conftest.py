from __future__ import annotations

import pytest

from hi.apps.api.models import ApiToken
from hi.integrations import integration_factory

from .factories import LampGateway, SwitchGateway


@pytest.fixture
def switch_gateway():
    integration_factory.register(SwitchGateway)
    gateway = SwitchGateway()
    gateway.controller.requests.clear()
    yield gateway
    integration_factory.unregister(SwitchGateway.integration_id)


@pytest.fixture
def api(client, db):
    """A test client that sends a valid bearer token with every request."""
    _, plain = ApiToken.issue("tests")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    return client


@pytest.fixture
def lamp_gateway():
    integration_factory.register(LampGateway)
    yield LampGateway()
    integration_factory.unregister(LampGateway.integration_id)
