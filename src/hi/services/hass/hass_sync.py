"""Import / refresh: Home Assistant's states, registries and temperature unit as an Inventory for the sync engine.

States come over REST (``/api/config``, ``/api/states``); the device, entity, area, floor and label
registries only exist on the WebSocket API, read in one short session per sync. A server whose
WebSocket API cannot list them (too old, or the token lacks admin rights for the registries) still
syncs, grouped by name as before, and the report says so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from hi.integrations.exceptions import AuthenticationError, RequestError
from hi.integrations.integration_gateway import IntegrationSynchronizer
from hi.integrations.sync.inventory import Inventory
from hi.integrations.timeouts import configured as configured_timeouts
from hi.integrations.timeouts import read_seconds
from hi.utils.redaction import register_secret

from .client import HassRestClient
from .client.oneshot import read_registries
from .client.registry import Registries
from .hass_converter import Allowlist, build_inventory

logger = logging.getLogger("hi.services.hass.sync")


def include_hidden(attributes: Mapping[str, str]) -> bool:
    return (attributes.get("import_hidden") or "").lower() == "true"


def registries_or_none(base_url: str, token: str) -> Registries | None:
    """The registries, or None when this server/token cannot list them (then grouping falls back to names)."""
    try:
        registries = read_registries(base_url, token, timeout=read_seconds())
    except (AuthenticationError, RequestError) as error:
        logger.warning("hass: cannot read the registries (%s); grouping by name", error.message)
        return None
    return registries if registries.available else None


class HassSynchronizer(IntegrationSynchronizer):
    """Two REST requests and five WebSocket commands whatever the size of the home."""

    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        token = attributes.get("api_token", "")
        register_secret(token)
        base_url = attributes["base_url"]
        with HassRestClient(base_url, token, timeouts=configured_timeouts()) as client:
            config = client.config()
            result = client.states()
        registries = registries_or_none(base_url, token)
        allowlist = Allowlist.parse(attributes.get("import_allowlist"))
        # A listing with skipped (malformed) states is partial: the engine must not detach what it lacks.
        inventory = build_inventory(result.states, allowlist, config.temperature_unit,
                                    complete=result.skipped == 0, registries=registries,
                                    include_hidden=include_hidden(attributes))
        if registries is None:
            return Inventory(inventory.integration_id, inventory.entities, inventory.complete,
                             {**inventory.skipped, "registries_unavailable": 1})
        return inventory
