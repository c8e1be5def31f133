"""The weather-station entity: which states it has, their types and units, and their integration keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hi.apps.entity.enums import EntityStateType as S
from hi.integrations.integration_gateway import Chart, ChartLine, Presentation
from hi.integrations.keys import IntegrationKey

from .units import units_for

INTEGRATION_ID = "weather"
STATION_NAME = "station"


@dataclass(frozen=True)
class StateDef:
    key: str
    name: str
    state_type: str
    value_range: Any = None
    fixed_units: str = ""

    def units(self, system: str) -> str:
        return self.fixed_units or units_for(self.key, system)


STATES: tuple[StateDef, ...] = (
    StateDef("temperature", "Temperature", S.TEMPERATURE),
    StateDef("humidity", "Humidity", S.HUMIDITY, {"min": 0, "max": 100}),
    StateDef("dew_point", "Dew point", S.TEMPERATURE),
    StateDef("wind_speed", "Wind speed", S.WIND_SPEED, {"min": 0, "max": 500}),
    StateDef("wind_direction", "Wind direction", S.CONTINUOUS, {"min": 0, "max": 360}),
    StateDef("pressure", "Pressure", S.AIR_PRESSURE),
    StateDef("visibility", "Visibility", S.CONTINUOUS, {"min": 0, "max": 1000}),
    StateDef("conditions", "Conditions", S.DISCRETE),
    StateDef("sunrise", "Sunrise", S.DATETIME),
    StateDef("sunset", "Sunset", S.DATETIME),
    StateDef("forecast_hourly", "Hourly forecast", S.MULTIVALUED),
    StateDef("forecast_daily", "Daily forecast", S.MULTIVALUED),
    StateDef("alerts", "Weather alerts", S.BLOB),
    StateDef("provenance", "Data sources", S.BLOB),
    StateDef("freshness", "Data freshness", S.DISCRETE, ["current", "partly stale", "stale", "none"]),
)

# How the weather page lays the station out (``WeatherGateway.presentation``): the page knows none of these keys.
PRESENTATION = Presentation(
    current=("temperature", "conditions", "humidity", "wind_speed", "wind_direction", "pressure", "dew_point",
             "visibility", "sunrise", "sunset"),
    provenance="provenance", freshness="freshness", alerts="alerts",
    charts=(
        Chart("hourly", "forecast_hourly", "time", (
            ChartLine("temperature", "Temperature", units_of="temperature"),
            ChartLine("precipitation_probability", "Precipitation chance", "%"))),
        Chart("daily", "forecast_daily", "date", (
            ChartLine("temperature_max", "High", units_of="temperature"),
            ChartLine("temperature_min", "Low", units_of="temperature"),
            ChartLine("precipitation_probability", "Precipitation chance", "%"))),
    ),
    periods="forecast_daily", period_label="date", period_text="conditions",
)


def station_key() -> IntegrationKey:
    return IntegrationKey(INTEGRATION_ID, STATION_NAME)


def sensor_key(state_key: str) -> IntegrationKey:
    return IntegrationKey(INTEGRATION_ID, f"{STATION_NAME}.{state_key}")
