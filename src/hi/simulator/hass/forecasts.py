"""Weather forecasts of the simulated Home Assistant: ``weather/subscribe_forecast`` and ``weather.get_forecasts``.

As in HA 2023.9+: a subscription is answered with a result, then the current forecast is pushed as
``{"type": <forecast type>, "forecast": [...]}`` on the subscription's id, and again whenever it
changes; a type the entity's ``supported_features`` lacks is refused with ``forecast_not_supported``.
``weather.get_forecasts`` answers only with ``return_response`` (HA's "requires responses").
``push_available = False`` plays a server older than the subscription (``unknown_command``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .services import ServiceError, target_entity_ids

FLAGS = {"daily": 1, "hourly": 2, "twice_daily": 4}
_CONDITIONS = ("sunny", "partlycloudy", "cloudy", "rainy", "partlycloudy", "sunny", "windy")
Listener = Callable[[str, str, list[dict[str, Any]]], None]


def demo_forecast(kind: str, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """A plausible forecast of ``kind`` starting now: 24 hours, 7 days or 14 day/night halves."""
    start = (now or dt.datetime.now(dt.UTC)).replace(minute=0, second=0, microsecond=0)
    if kind == "hourly":
        return [{"datetime": (start + dt.timedelta(hours=h)).isoformat(), "condition": _CONDITIONS[h // 4 % 7],
                 "temperature": round(10 + 4 * ((h % 24) in range(10, 18)) - (h % 24 < 6), 1),
                 "precipitation_probability": (h * 7) % 60, "wind_speed": 8.0 + h % 5, "wind_bearing": 240,
                 "humidity": 70} for h in range(24)]
    day = start.replace(hour=12)
    if kind == "daily":
        return [{"datetime": (day + dt.timedelta(days=d)).isoformat(), "condition": _CONDITIONS[d % 7],
                 "temperature": 12.0 + d % 3, "templow": 5.0 + d % 2, "precipitation_probability": (d * 15) % 80,
                 "wind_speed": 12.0} for d in range(7)]
    return [{"datetime": (day + dt.timedelta(hours=12 * n)).isoformat(), "is_daytime": n % 2 == 0,
             "condition": _CONDITIONS[n // 2 % 7], "temperature": 12.0 if n % 2 == 0 else 4.0,
             "precipitation_probability": (n * 10) % 70} for n in range(14)]


class ForecastBook:
    """Current forecasts per (entity, type), made on first use; ``set`` pushes a new one to listeners."""

    def __init__(self) -> None:
        self.forecasts: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.listeners: list[Listener] = []
        self.push_available = True

    def get(self, entity_id: str, kind: str) -> list[dict[str, Any]]:
        return self.forecasts.setdefault((entity_id, kind), demo_forecast(kind))

    def set(self, entity_id: str, kind: str, forecast: list[dict[str, Any]]) -> None:
        self.forecasts[(entity_id, kind)] = forecast
        for listener in list(self.listeners):
            listener(entity_id, kind, forecast)


def check_supported(attributes: dict[str, Any] | None, entity_id: str, kind: str) -> None:
    """HA's refusals: no such weather entity, or a forecast type its features lack."""
    if attributes is None or not entity_id.startswith("weather."):
        raise ServiceError("invalid_entity_id", f"Weather entity not found: {entity_id}")
    if kind not in FLAGS or not int(attributes.get("supported_features") or 0) & FLAGS[kind]:
        raise ServiceError("forecast_not_supported", f"The weather entity does not support forecast type: {kind}")


def get_forecasts(book: ForecastBook, attributes_of: Callable[[str], dict[str, Any] | None], data: dict[str, Any],
                  target: dict[str, Any] | None, return_response: bool) -> dict[str, Any]:
    """``weather.get_forecasts``' response: ``{entity_id: {"forecast": [...]}}``."""
    if not return_response:
        raise ServiceError("service_validation_error",
                           "Service call requires responses but caller did not ask for responses")
    kind = data.get("type")
    response = {}
    for entity_id in target_entity_ids(data, target):
        check_supported(attributes_of(entity_id), entity_id, str(kind))
        response[entity_id] = {"forecast": book.get(entity_id, str(kind))}
    return response
