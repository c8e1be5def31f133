"""Import / refresh: what ZoneMinder has (server + monitors) as an Inventory for the sync engine."""

from __future__ import annotations

from collections.abc import Mapping

from hi.integrations.integration_gateway import IntegrationSynchronizer
from hi.integrations.sync.inventory import Inventory
from hi.integrations.timeouts import configured as configured_timeouts

from .zm_client import ZoneMinderClient
from .zm_converter import build_inventory
from .zm_settings import settings_from


class ZoneMinderSynchronizer(IntegrationSynchronizer):
    """Four small requests, whatever the size of the event history."""

    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        with ZoneMinderClient(settings_from(attributes), timeouts=configured_timeouts()) as client:
            version = client.version().version
            monitors = client.monitors().monitors
            states = client.run_states().states
            running = client.daemon_check().result == 1
        return build_inventory(monitors, [s.State for s in states], running, version)
