"""Maps integration ids to gateway classes; adding an integration means one line here.

The registry is the list of integrations the hub ships. Each service declares its id once (its
``INTEGRATION_ID``, which its gateway's ``integration_id`` is); loading a gateway checks that the id
it declares is the key it is registered under, so the two can never drift apart.
"""

from __future__ import annotations

import importlib

from .exceptions import ConfigurationError
from .integration_gateway import IntegrationGateway

# integration_id -> "module:Class", imported lazily so an integration's import cost is paid on use.
_REGISTRY: dict[str, str] = {
    "hass": "hi.services.hass.integration:HassGateway",
    "zoneminder": "hi.services.zoneminder.integration:ZoneMinderGateway",
    "weather": "hi.services.weather.integration:WeatherGateway",
    "homebox": "hi.services.homebox.integration:HomeBoxGateway",
}
_EXTRA: dict[str, type[IntegrationGateway]] = {}


def register(gateway_class: type[IntegrationGateway]) -> None:
    """Register a gateway class at run time (tests use this for their test-only gateway)."""
    _EXTRA[gateway_class.integration_id] = gateway_class


def unregister(integration_id: str) -> None:
    _EXTRA.pop(integration_id, None)


def integration_ids() -> list[str]:
    return sorted(set(_REGISTRY) | set(_EXTRA))


def _is_available(integration_id: str) -> bool:
    try:
        get_gateway_class(integration_id)
    except (ImportError, AttributeError, ConfigurationError):
        return False
    return True


def available_integration_ids() -> list[str]:
    """The ids whose gateways import (an integration still being built is simply absent)."""
    return [iid for iid in integration_ids() if _is_available(iid)]


def get_gateway_class(integration_id: str) -> type[IntegrationGateway]:
    if integration_id in _EXTRA:
        return _EXTRA[integration_id]
    target = _REGISTRY.get(integration_id)
    if target is None:
        raise ConfigurationError(f"unknown integration {integration_id!r}; known: {', '.join(integration_ids())}")
    module_name, _, class_name = target.partition(":")
    gateway_class: type[IntegrationGateway] = getattr(importlib.import_module(module_name), class_name)
    if gateway_class.integration_id != integration_id:
        raise ConfigurationError(f"{target} declares integration_id {gateway_class.integration_id!r} but is "
                                 f"registered as {integration_id!r}")
    return gateway_class


def get_gateway(integration_id: str) -> IntegrationGateway:
    return get_gateway_class(integration_id)()
