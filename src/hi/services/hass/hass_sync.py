"""Import / refresh: Home Assistant's states (and its temperature unit) as an Inventory for the sync engine."""

from __future__ import annotations

from collections.abc import Mapping

from hi.integrations.integration_gateway import IntegrationSynchronizer
from hi.integrations.sync.inventory import Inventory
from hi.utils.redaction import register_secret

from .client import HassRestClient
from .hass_converter import Allowlist, build_inventory


class HassSynchronizer(IntegrationSynchronizer):
    """Two requests (``/api/config`` and ``/api/states``) whatever the size of the home."""

    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        token = attributes.get("api_token", "")
        register_secret(token)
        with HassRestClient(attributes["base_url"], token) as client:
            config = client.config()
            result = client.states()
        allowlist = Allowlist.parse(attributes.get("import_allowlist"))
        # A listing with skipped (malformed) states is partial: the engine must not detach what it lacks.
        return build_inventory(result.states, allowlist, config.temperature_unit, complete=result.skipped == 0)
