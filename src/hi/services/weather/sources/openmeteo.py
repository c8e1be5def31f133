"""Open-Meteo (api.open-meteo.com): model data for anywhere, current + hourly + daily in one request.

It has no observations, so its "current" values describe the model's latest 15-minute slot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from hi.integrations.exceptions import DataValidationError

from .base import DailyPoint, Fetch, HourlyPoint, RateLimit, Reading, SourceReport, SourceSpec, WeatherSource

CURRENT_VARIABLES: dict[str, str] = {
    "temperature_2m": "temperature", "relative_humidity_2m": "humidity", "dew_point_2m": "dew_point",
    "wind_speed_10m": "wind_speed", "wind_direction_10m": "wind_direction", "pressure_msl": "pressure",
    "visibility": "visibility", "weather_code": "conditions",
}
HOURLY_VARIABLES = ("temperature_2m", "precipitation_probability", "wind_speed_10m", "weather_code")
DAILY_VARIABLES = ("temperature_2m_max", "temperature_2m_min", "precipitation_probability_max",
                   "weather_code", "sunrise", "sunset")

# WMO weather interpretation codes, as Open-Meteo documents them.
WEATHER_CODES: dict[int, str] = {
    0: "Clear", 1: "Mainly clear", 2: "Partly cloudy", 3: "Overcast", 45: "Fog", 48: "Rime fog",
    51: "Light drizzle", 53: "Drizzle", 55: "Dense drizzle", 56: "Freezing drizzle", 57: "Freezing drizzle",
    61: "Light rain", 63: "Rain", 65: "Heavy rain", 66: "Freezing rain", 67: "Heavy freezing rain",
    71: "Light snow", 73: "Snow", 75: "Heavy snow", 77: "Snow grains", 80: "Rain showers",
    81: "Rain showers", 82: "Violent rain showers", 85: "Snow showers", 86: "Heavy snow showers",
    95: "Thunderstorm", 96: "Thunderstorm with hail", 99: "Thunderstorm with heavy hail",
}


def describe_code(code: Any) -> str:
    try:
        return WEATHER_CODES.get(int(code), f"Weather code {int(code)}")
    except (TypeError, ValueError):
        return ""


class ForecastResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")
    utc_offset_seconds: int = 0
    current: dict[str, Any]
    hourly: dict[str, list[Any]] = {}
    daily: dict[str, list[Any]] = {}


def _local_to_utc(text: str, offset_seconds: int) -> dt.datetime:
    """Open-Meteo times are local wall times without an offset; ``utc_offset_seconds`` says which."""
    naive = dt.datetime.fromisoformat(text)
    if naive.tzinfo is not None:
        return naive.astimezone(dt.UTC)
    return (naive - dt.timedelta(seconds=offset_seconds)).replace(tzinfo=dt.UTC)


def _column(table: dict[str, list[Any]], name: str, index: int) -> Any:
    values = table.get(name) or []
    return values[index] if index < len(values) else None


class OpenMeteoSource(WeatherSource):
    spec: ClassVar[SourceSpec] = SourceSpec(
        name="openmeteo", label="Open-Meteo", priority=20,
        default_base_url="https://api.open-meteo.com",
        rate_limits=(RateLimit(max_requests=30, per_seconds=3600),),
        cache_seconds={"forecast": 900},
        stale_after_seconds={"current": 3600, "forecast": 12 * 3600, "sun": 36 * 3600},
    )

    def params(self) -> dict[str, str]:
        return {
            "latitude": f"{self.settings.latitude:.4f}", "longitude": f"{self.settings.longitude:.4f}",
            "current": ",".join(CURRENT_VARIABLES), "hourly": ",".join(HOURLY_VARIABLES),
            "daily": ",".join(DAILY_VARIABLES), "timezone": "auto", "forecast_days": "7",
        }

    def collect(self, fetch: Fetch, now: dt.datetime) -> SourceReport:
        fetched = fetch("forecast", f"{self.settings.base_url}/v1/forecast", self.params(), validate=self.parse)
        report = self.parse(fetched.payload, fetched.fetched_at)
        if fetched.failed:
            report.failing.update({"current", "forecast", "sun"})
        return report

    def parse(self, payload: Any, fetched_at: dt.datetime | None = None) -> SourceReport:
        try:
            data = ForecastResponse.model_validate(payload)
            return self._report(data, fetched_at or dt.datetime.now(dt.UTC))
        except (ValidationError, ValueError, KeyError, TypeError) as exc:
            raise DataValidationError(f"Open-Meteo forecast: {str(exc).splitlines()[0]}") from None

    def _report(self, data: ForecastResponse, fetched_at: dt.datetime) -> SourceReport:
        offset = data.utc_offset_seconds
        report = SourceReport(source=self.spec.name)
        observed_at = _local_to_utc(str(data.current["time"]), offset)
        for variable, name in CURRENT_VARIABLES.items():
            value = data.current.get(variable)
            if value is None:
                continue
            if name == "conditions":
                value = describe_code(value)
            elif name == "visibility":
                value = round(float(value) / 1000.0, 2)
            report.current[name] = Reading(value=value, observed_at=observed_at)
        if data.hourly.get("time"):
            report.hourly = [
                HourlyPoint(time=_local_to_utc(t, offset), temperature=_column(data.hourly, "temperature_2m", i),
                            precipitation_probability=_column(data.hourly, "precipitation_probability", i),
                            wind_speed=_column(data.hourly, "wind_speed_10m", i),
                            conditions=describe_code(_column(data.hourly, "weather_code", i)))
                for i, t in enumerate(data.hourly["time"])]
            report.hourly_at = fetched_at
        days = data.daily.get("time") or []
        if days:
            report.daily = [
                DailyPoint(date=dt.date.fromisoformat(day), temperature_max=_column(data.daily, "temperature_2m_max", i),
                           temperature_min=_column(data.daily, "temperature_2m_min", i),
                           precipitation_probability=_column(data.daily, "precipitation_probability_max", i),
                           conditions=describe_code(_column(data.daily, "weather_code", i)))
                for i, day in enumerate(days)]
            report.daily_at = fetched_at
            for name in ("sunrise", "sunset"):
                first = _column(data.daily, name, 0)
                if first:
                    setattr(report, name, Reading(value=_local_to_utc(first, offset).isoformat(),
                                                  observed_at=fetched_at))
        return report


SOURCE = OpenMeteoSource
