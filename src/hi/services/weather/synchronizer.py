"""The weather inventory: one station entity whose states are fixed; only units depend on settings."""

from __future__ import annotations

from collections.abc import Mapping

from hi.apps.entity.enums import EntityType
from hi.integrations.integration_gateway import IntegrationSynchronizer
from hi.integrations.sync.inventory import (
    ExternalAttribute,
    ExternalEntity,
    ExternalSensor,
    ExternalState,
    Inventory,
)

from .config import WeatherSettings
from .station import INTEGRATION_ID, STATES, sensor_key, station_key


class WeatherSynchronizer(IntegrationSynchronizer):
    """No network: the station's shape is ours; values arrive from the monitor."""

    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        settings = WeatherSettings.from_attributes(attributes)
        states = tuple(
            ExternalState(state_key=state.key, name=state.name, state_type=state.state_type,
                          value_range=state.value_range, units=state.units(settings.units),
                          sensor=ExternalSensor(sensor_key(state.key), f"Weather {state.name.lower()}"))
            for state in STATES)
        attributes_out = (
            ExternalAttribute("latitude", f"{settings.latitude:.4f}", "number"),
            ExternalAttribute("longitude", f"{settings.longitude:.4f}", "number"),
            ExternalAttribute("sources", ", ".join(settings.sources)),
        )
        station = ExternalEntity(key=station_key(), name="Weather station", entity_type=EntityType.WEATHER_STATION,
                                 states=states, attributes=attributes_out,
                                 payload={"latitude": settings.latitude, "longitude": settings.longitude})
        return Inventory(integration_id=INTEGRATION_ID, entities=(station,))
