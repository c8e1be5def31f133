"""Unit handling: sources are normalised to metric (°C, %, km/h, degrees, hPa, km); output may be imperial."""

from __future__ import annotations

import re

METRIC_UNITS: dict[str, str] = {
    "temperature": "°C", "dew_point": "°C", "humidity": "%", "wind_speed": "km/h",
    "wind_direction": "°", "pressure": "hPa", "visibility": "km",
}
IMPERIAL_UNITS: dict[str, str] = {
    "temperature": "°F", "dew_point": "°F", "humidity": "%", "wind_speed": "mph",
    "wind_direction": "°", "pressure": "inHg", "visibility": "mi",
}
UNIT_SYSTEMS = ("metric", "imperial")

_KMH_PER_MPH = 1.609344
_HPA_PER_INHG = 33.8638866667

# NWS (WMO) unit codes → factor/offset to our metric unit of the same quantity.
_WMO_TO_METRIC: dict[str, tuple[float, float]] = {
    "degC": (1.0, 0.0), "K": (1.0, -273.15), "percent": (1.0, 0.0), "degree_(angle)": (1.0, 0.0),
    "km_h-1": (1.0, 0.0), "m_s-1": (3.6, 0.0), "Pa": (0.01, 0.0), "hPa": (1.0, 0.0),
    "m": (0.001, 0.0), "km": (1.0, 0.0),
}


def fahrenheit_to_celsius(value: float) -> float:
    return (value - 32.0) * 5.0 / 9.0


def wmo_to_metric(value: float | None, unit_code: str) -> float | None:
    """Convert an NWS quantitative value to our metric unit; unknown units give None (skipped, not guessed)."""
    if value is None:
        return None
    code = unit_code.rsplit(":", 1)[-1]
    if code == "degF":
        return fahrenheit_to_celsius(value)
    conversion = _WMO_TO_METRIC.get(code)
    if conversion is None:
        return None
    factor, offset = conversion
    return value * factor + offset


def parse_speed_text(text: str) -> float | None:
    """'10 mph' or '10 to 15 mph' (NWS forecast) → km/h, taking the upper figure of a range."""
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text or "")]
    if not numbers:
        return None
    speed = max(numbers)
    return speed * _KMH_PER_MPH if "mph" in text.lower() else speed


def to_system(field: str, value: float | None, system: str) -> float | None:
    """Express a metric value of ``field`` in the chosen unit system, rounded for display."""
    if value is None or not isinstance(value, int | float):
        return value
    if system == "imperial":
        if field in {"temperature", "dew_point", "temperature_max", "temperature_min"}:
            value = value * 9.0 / 5.0 + 32.0
        elif field == "wind_speed":
            value = value / _KMH_PER_MPH
        elif field == "pressure":
            value = value / _HPA_PER_INHG
            return round(value, 2)
        elif field == "visibility":
            value = value / _KMH_PER_MPH
    return round(value, 1)


def units_for(field: str, system: str) -> str:
    table = IMPERIAL_UNITS if system == "imperial" else METRIC_UNITS
    return table.get(field, "")
