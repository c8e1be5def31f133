"""Forecasts of Home Assistant's ``weather.*`` entities, on the weather integration's forecast model.

Since HA 2023.9 a weather entity's forecast is no longer a state attribute: it is pushed over the
WebSocket to whoever sends ``weather/subscribe_forecast`` (one subscription per entity and forecast
type — ``daily``, ``hourly``, ``twice_daily`` — that the entity's ``supported_features`` offers:
1, 2 and 4). A server that answers ``unknown_command`` is asked with the ``weather.get_forecasts``
service and ``return_response`` instead, again every ``refresh`` seconds.

The points become the weather integration's (``services/weather/sources/base.py``): hourly
``{time, temperature, precipitation_probability, wind_speed, conditions}``, daily ``{date,
temperature_max, temperature_min, precipitation_probability, conditions}`` — so the weather page's
charts and period list draw an HA weather entity exactly like the hub's own station. A twice-daily
forecast (day and night halves) becomes a daily one when the entity has no daily forecast.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from hi.integrations.exceptions import IntegrationError
from hi.integrations.integration_gateway import Chart, ChartLine, Presentation
from hi.integrations.sensor_response import SensorResponse

from .client.models import HassState
from .hass_domains import CONDITION_WORDS, FORECAST_STATES, forecast_types
from .hass_spec import number
from .hass_states import sensor_key

logger = logging.getLogger("hi.services.hass.forecast")
def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _local_date(moment: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def _words(condition: Any) -> str:
    return CONDITION_WORDS.get(str(condition), str(condition or "").replace("-", " ").capitalize())


def hourly_points(forecast: Iterable[Any]) -> list[dict[str, Any]]:
    points = []
    for item in forecast:
        moment = _moment(item.get("datetime")) if isinstance(item, Mapping) else None
        if moment is None:
            continue  # a point without a time cannot be placed: skipped
        points.append({"time": moment.isoformat(), "temperature": number(item.get("temperature")),
                       "precipitation_probability": number(item.get("precipitation_probability")),
                       "wind_speed": number(item.get("wind_speed")), "conditions": _words(item.get("condition"))})
    return points


def daily_points(forecast: Iterable[Any]) -> list[dict[str, Any]]:
    """Daily points; several per date (twice_daily's day and night) merge into one: the highest and
    lowest temperature, the highest precipitation chance, the daytime conditions."""
    days: dict[dt.date, dict[str, Any]] = {}
    for item in forecast:
        moment = _moment(item.get("datetime")) if isinstance(item, Mapping) else None
        if moment is None:
            continue
        day = days.setdefault(_local_date(moment), {"highs": [], "lows": [], "chances": [], "conditions": ""})
        for key, bucket in (("temperature", "highs"), ("templow", "lows"), ("precipitation_probability", "chances")):
            value = number(item.get(key))
            if value is not None:
                day[bucket].append(value)
        if item.get("is_daytime") is False:
            temperature = number(item.get("temperature"))
            if temperature is not None:
                day["lows"].append(temperature)  # a night's temperature is that date's low
        if item.get("condition") and (not day["conditions"] or item.get("is_daytime") is not False):
            day["conditions"] = _words(item.get("condition"))
    return [{"date": date.isoformat(), "temperature_max": max(day["highs"], default=None),
             "temperature_min": min(day["lows"], default=None),
             "precipitation_probability": max(day["chances"], default=None), "conditions": day["conditions"]}
            for date, day in sorted(days.items())]


def weather_presentation(entity_id: str) -> Presentation:
    """The weather page's layout for one HA weather entity (its state keys; the page reads none of its own)."""
    def key(suffix: str) -> str:
        return f"{entity_id}#{suffix}"

    return Presentation(
        current=(entity_id, key("temperature"), key("humidity"), key("pressure"), key("wind_speed"),
                 key("wind_bearing")),
        charts=(Chart("hourly", key("forecast_hourly"), "time", (
                    ChartLine("temperature", "Temperature", units_of=key("temperature")),
                    ChartLine("precipitation_probability", "Precipitation chance", "%"))),
                Chart("daily", key("forecast_daily"), "date", (
                    ChartLine("temperature_max", "High", units_of=key("temperature")),
                    ChartLine("temperature_min", "Low", units_of=key("temperature")),
                    ChartLine("precipitation_probability", "Precipitation chance", "%")))),
        periods=key("forecast_daily"), period_label="date", period_text="conditions")


def forecast_response(entity_id: str, forecast_type: str, forecast: Any,
                      now: dt.datetime | None = None) -> SensorResponse | None:
    """The response that records one pushed forecast (None for a type hi does not keep, or no list)."""
    state_key = FORECAST_STATES.get(forecast_type)
    if state_key is None or not isinstance(forecast, list):
        return None
    points = hourly_points(forecast) if forecast_type == "hourly" else daily_points(forecast)
    return SensorResponse(integration_key=sensor_key(entity_id, state_key), value=points,
                          timestamp=now or dt.datetime.now(dt.UTC))


class ForecastFollower:
    """Keeps every imported weather entity's forecasts current over the monitor's WebSocket.

    ``follow`` runs after every listing (each (re)connect): it subscribes what this connection does
    not follow yet, or — on a server without the command — asks the service when ``refresh`` passed.
    """

    def __init__(self, ws: Any, submit: Callable[[list[SensorResponse]], None], *, refresh: float = 1800.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ws = ws
        self.submit = submit
        self.refresh = refresh
        self.clock = clock
        self.mode = "subscribe"  # → "service" on a server without the command, → "none" without either
        self.received = 0
        self._asked_at: float | None = None
        self._wanted: list[tuple[str, str]] = []

    async def pushed(self, entity_id: str, forecast_type: str, forecast: Any) -> None:
        response = forecast_response(entity_id, forecast_type, forecast)
        if response is not None:
            self.received += 1
            self.submit([response])

    async def follow(self, states: Iterable[HassState], imported: Callable[[HassState], bool]) -> None:
        wanted = [(state.entity_id, kind) for state in states
                  if state.domain == "weather" and imported(state) for kind in forecast_types(state)]
        self._wanted = wanted
        if not wanted or self.mode == "none":
            return
        try:
            if self.mode == "subscribe":
                await self._subscribe(wanted)
            if self.mode == "service":
                await self._ask(wanted)
        except IntegrationError as error:  # the link dropped: the next listing follows again
            logger.info("hass: could not follow weather forecasts: %s", error.message)

    async def _subscribe(self, wanted: list[tuple[str, str]]) -> None:
        followed = set(self.ws.forecast_subscriptions.values())
        for target in wanted:
            if target in followed:
                continue
            code = await self.ws.subscribe_forecast(*target)
            if code == "unknown_command":
                logger.info("hass: this Home Assistant cannot push forecasts; asking weather.get_forecasts "
                            "every %g s instead", self.refresh)
                self.mode = "service"
                return
            if code:
                logger.info("hass: no %s forecast for %s (%s)", target[1], target[0], code)

    async def tick(self) -> None:
        """On a server without the subscription: ask again once ``refresh`` has passed."""
        if self.mode == "service" and self._wanted:
            try:
                await self._ask(self._wanted)
            except IntegrationError as error:
                logger.info("hass: could not ask for weather forecasts: %s", error.message)

    async def _ask(self, wanted: list[tuple[str, str]]) -> None:
        now = self.clock()
        if self._asked_at is not None and now - self._asked_at < self.refresh:
            return
        self._asked_at = now
        by_type: dict[str, list[str]] = {}
        for entity_id, kind in wanted:
            by_type.setdefault(kind, []).append(entity_id)
        for kind, entity_ids in by_type.items():
            try:
                answers = await self.ws.get_forecasts(entity_ids, kind)
            except IntegrationError as error:
                if "get_forecasts" in error.message or "not found" in error.message.lower():
                    self.mode = "none"  # older still: forecasts were state attributes then
                    logger.info("hass: this Home Assistant has no weather.get_forecasts; no forecasts")
                    return
                raise
            for entity_id, forecast in answers.items():
                await self.pushed(entity_id, kind, forecast)

