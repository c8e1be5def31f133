"""Synthetic but realistic weather for the simulators: a smooth daily cycle and the three APIs' shapes."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

WMO_DESCRIPTIONS = {0: "Clear", 1: "Mostly Clear", 2: "Partly Cloudy", 3: "Cloudy", 61: "Light Rain", 95: "Thunderstorm"}


def temperature_at(moment: dt.datetime, longitude: float) -> float:
    """°C following a daily sine: coolest near 05:00 local solar time, warmest near 15:00."""
    moment = moment.astimezone(dt.UTC)
    local_hour = (moment.hour + moment.minute / 60 + longitude / 15) % 24
    return round(12.0 + 7.0 * math.sin(2 * math.pi * (local_hour - 9) / 24), 1)


def humidity_at(moment: dt.datetime, longitude: float) -> float:
    return round(min(100.0, max(20.0, 95.0 - 3.0 * (temperature_at(moment, longitude) - 5.0))), 0)


def dew_point(temperature: float, humidity: float) -> float:
    """Magnus approximation."""
    gamma = math.log(max(humidity, 1.0) / 100.0) + 17.62 * temperature / (243.12 + temperature)
    return round(243.12 * gamma / (17.62 - gamma), 1)


def weather_code_at(moment: dt.datetime) -> int:
    return (0, 1, 2, 3, 61, 2)[(moment.timetuple().tm_yday + moment.hour // 6) % 6]


@dataclass
class Observation:
    """What the simulated station last reported; ``None`` values are sent as null, as NWS does."""

    overrides: dict[str, float | str | None] = field(default_factory=dict)
    lag: dt.timedelta = dt.timedelta(minutes=20)

    def values(self, now: dt.datetime, longitude: float) -> dict[str, Any]:
        at = self.timestamp(now)
        temperature = temperature_at(at, longitude)
        humidity = humidity_at(at, longitude)
        values: dict[str, Any] = {
            "temperature": temperature, "dewpoint": dew_point(temperature, humidity), "relativeHumidity": humidity,
            "windSpeed": 11.2, "windDirection": 230.0, "barometricPressure": 101560.0, "visibility": 16090.0,
            "textDescription": WMO_DESCRIPTIONS.get(weather_code_at(at), "Cloudy"),
        }
        values.update(self.overrides)
        return values

    def timestamp(self, now: dt.datetime) -> dt.datetime:
        """Observations are made at :53 past the hour and arrive late, like the real network's."""
        at = now - self.lag
        if at.minute < 53:
            at -= dt.timedelta(hours=1)
        return at.replace(minute=53, second=0, microsecond=0)


_NWS_UNITS = {
    "temperature": "wmoUnit:degC", "dewpoint": "wmoUnit:degC", "relativeHumidity": "wmoUnit:percent",
    "windSpeed": "wmoUnit:km_h-1", "windDirection": "wmoUnit:degree_(angle)", "barometricPressure": "wmoUnit:Pa",
    "visibility": "wmoUnit:m",
}


def nws_observation(station: str, base: str, observation: Observation, now: dt.datetime,
                    longitude: float) -> dict[str, Any]:
    values = observation.values(now, longitude)
    properties: dict[str, Any] = {
        "@id": f"{base}/stations/{station}/observations/{observation.timestamp(now).isoformat()}",
        "station": f"{base}/stations/{station}", "timestamp": observation.timestamp(now).isoformat(),
        "textDescription": values["textDescription"],
    }
    for name, unit in _NWS_UNITS.items():
        properties[name] = {"unitCode": unit, "value": values[name], "qualityControl": "V"}
    return {"type": "Feature", "properties": properties}


def nws_periods(now: dt.datetime, longitude: float, hourly: bool) -> list[dict[str, Any]]:
    """Hourly: 48 one-hour periods. Daily: 14 day/night periods starting at the next 06:00/18:00 boundary."""
    periods = []
    now = now.astimezone(dt.timezone(dt.timedelta(hours=round(longitude / 15))))  # NWS uses local offsets
    if hourly:
        start = now.replace(minute=0, second=0, microsecond=0)
        steps = [(start + dt.timedelta(hours=i), dt.timedelta(hours=1)) for i in range(48)]
    else:
        start = now.replace(hour=6 if now.hour < 18 else 18, minute=0, second=0, microsecond=0)
        steps = [(start + dt.timedelta(hours=12 * i), dt.timedelta(hours=12)) for i in range(14)]
    for number, (begin, length) in enumerate(steps, start=1):
        is_day = 6 <= begin.hour < 18
        celsius = temperature_at(begin + length / 2, longitude) + (0 if hourly else (4 if is_day else -4))
        code = weather_code_at(begin)
        periods.append({
            "number": number, "name": "" if hourly else begin.strftime("%A") + ("" if is_day else " Night"),
            "startTime": begin.isoformat(), "endTime": (begin + length).isoformat(), "isDaytime": is_day,
            "temperature": round(celsius * 9 / 5 + 32), "temperatureUnit": "F",
            "probabilityOfPrecipitation": {"unitCode": "wmoUnit:percent", "value": 70 if code >= 61 else 10},
            "windSpeed": "5 mph" if hourly else "5 to 10 mph", "windDirection": "SW",
            "shortForecast": WMO_DESCRIPTIONS.get(code, "Cloudy"),
            "detailedForecast": "" if hourly else f"{WMO_DESCRIPTIONS.get(code, 'Cloudy')}, around {round(celsius)} C.",
        })
    return periods


def utc_offset_for(longitude: float) -> int:
    """Open-Meteo's timezone=auto, approximated by whole hours of longitude."""
    return round(longitude / 15) * 3600


def _local(moment: dt.datetime, offset: int) -> str:
    return (moment + dt.timedelta(seconds=offset)).replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M")


OPENMETEO_CURRENT = {
    "temperature_2m": "°C", "relative_humidity_2m": "%", "dew_point_2m": "°C", "wind_speed_10m": "km/h",
    "wind_direction_10m": "°", "pressure_msl": "hPa", "surface_pressure": "hPa", "visibility": "m",
    "weather_code": "wmo code", "precipitation": "mm", "cloud_cover": "%", "apparent_temperature": "°C",
    "precipitation_probability": "%", "is_day": "",
}
OPENMETEO_DAILY = {
    "temperature_2m_max": "°C", "temperature_2m_min": "°C", "precipitation_probability_max": "%",
    "weather_code": "wmo code", "sunrise": "iso8601", "sunset": "iso8601", "precipitation_sum": "mm",
}


def openmeteo_value(variable: str, moment: dt.datetime, longitude: float) -> Any:
    temperature = temperature_at(moment, longitude)
    humidity = humidity_at(moment, longitude)
    table: dict[str, Any] = {
        "temperature_2m": round(temperature + 0.4, 1), "apparent_temperature": round(temperature - 1.0, 1),
        "relative_humidity_2m": humidity, "dew_point_2m": dew_point(temperature, humidity),
        "wind_speed_10m": 9.7, "wind_direction_10m": 225, "pressure_msl": 1015.2, "surface_pressure": 990.1,
        "visibility": 24140.0, "weather_code": weather_code_at(moment), "precipitation": 0.0, "cloud_cover": 40,
        "precipitation_probability": 60 if weather_code_at(moment) >= 61 else 5,
        "is_day": int(6 <= (moment.hour + longitude / 15) % 24 < 18),
    }
    return table.get(variable)


def openmeteo_forecast(now: dt.datetime, latitude: float, longitude: float, current: list[str],
                       hourly: list[str], daily: list[str], days: int) -> dict[str, Any]:
    offset = utc_offset_for(longitude)
    slot = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    body: dict[str, Any] = {
        "latitude": round(latitude, 3), "longitude": round(longitude, 3), "generationtime_ms": 0.3,
        "utc_offset_seconds": offset, "timezone": "GMT" if offset == 0 else f"Etc/GMT{-offset // 3600:+d}",
        "timezone_abbreviation": "GMT", "elevation": 200.0,
    }
    if current:
        body["current_units"] = {"time": "iso8601", "interval": "seconds", **{v: OPENMETEO_CURRENT[v] for v in current}}
        body["current"] = {"time": _local(slot, offset), "interval": 900,
                           **{v: openmeteo_value(v, slot, longitude) for v in current}}
    if hourly:
        local_midnight = (now + dt.timedelta(seconds=offset)).replace(hour=0, minute=0, second=0, microsecond=0)
        times = [local_midnight - dt.timedelta(seconds=offset) + dt.timedelta(hours=i) for i in range(24 * days)]
        body["hourly_units"] = {"time": "iso8601", **{v: OPENMETEO_CURRENT[v] for v in hourly}}
        body["hourly"] = {"time": [_local(t, offset) for t in times],
                          **{v: [openmeteo_value(v, t, longitude) for t in times] for v in hourly}}
    if daily:
        first = (now + dt.timedelta(seconds=offset)).date()
        dates = [first + dt.timedelta(days=i) for i in range(days)]
        body["daily_units"] = {"time": "iso8601", **{v: OPENMETEO_DAILY[v] for v in daily}}
        body["daily"] = {"time": [d.isoformat() for d in dates]}
        for variable in daily:
            body["daily"][variable] = [_daily_value(variable, d, latitude, longitude, offset) for d in dates]
    return body


def _daily_value(variable: str, day: dt.date, latitude: float, longitude: float, offset: int) -> Any:
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    if variable in {"sunrise", "sunset"}:
        rise, set_ = sun_times(day, latitude, longitude)
        return _local(rise if variable == "sunrise" else set_, offset)
    return {
        "temperature_2m_max": 19.0, "temperature_2m_min": 5.0, "precipitation_sum": 0.0,
        "precipitation_probability_max": 60 if weather_code_at(noon) >= 61 else 10,
        "weather_code": weather_code_at(noon),
    }[variable]


def sun_times(day: dt.date, latitude: float, longitude: float) -> tuple[dt.datetime, dt.datetime]:
    """Approximate sunrise and sunset in UTC (declination + hour angle; good to a few minutes)."""
    day_of_year = day.timetuple().tm_yday
    declination = math.radians(-23.44) * math.cos(2 * math.pi * (day_of_year + 10) / 365)
    cos_hour = (math.sin(math.radians(-0.83)) - math.sin(math.radians(latitude)) * math.sin(declination)) / (
        math.cos(math.radians(latitude)) * math.cos(declination))
    half_day_hours = math.degrees(math.acos(max(-1.0, min(1.0, cos_hour)))) / 15
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC) - dt.timedelta(hours=longitude / 15)
    half_day = dt.timedelta(seconds=round(half_day_hours * 3600))
    return noon - half_day, noon + half_day


def sunrise_sunset_results(day: dt.date, latitude: float, longitude: float) -> dict[str, Any]:
    rise, set_ = sun_times(day, latitude, longitude)
    noon = rise + (set_ - rise) / 2
    return {
        "sunrise": rise.isoformat(), "sunset": set_.isoformat(), "solar_noon": noon.isoformat(),
        "day_length": int((set_ - rise).total_seconds()),
        "civil_twilight_begin": (rise - dt.timedelta(minutes=28)).isoformat(),
        "civil_twilight_end": (set_ + dt.timedelta(minutes=28)).isoformat(),
        "nautical_twilight_begin": (rise - dt.timedelta(minutes=60)).isoformat(),
        "nautical_twilight_end": (set_ + dt.timedelta(minutes=60)).isoformat(),
        "astronomical_twilight_begin": (rise - dt.timedelta(minutes=92)).isoformat(),
        "astronomical_twilight_end": (set_ + dt.timedelta(minutes=92)).isoformat(),
    }
