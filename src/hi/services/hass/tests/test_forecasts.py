"""Weather forecasts from Home Assistant: pushed over ``weather/subscribe_forecast``, asked with
``weather.get_forecasts`` on a server without it, and recorded on the weather integration's model."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async

from hi.integrations.sync.engine import run_sync
from hi.services.hass.hass_forecasts import daily_points, hourly_points
from hi.services.hass.testing import configure
from hi.simulator.hass import HassSimulator

from .test_monitor import Live, eventually, value_of


def test_hourly_points_are_the_weather_integrations() -> None:
    points = hourly_points([{"datetime": "2026-11-30T15:00:00+00:00", "condition": "partlycloudy",
                             "temperature": 11.04, "precipitation_probability": 20, "wind_speed": 9},
                            {"condition": "sunny"}])  # no time: cannot be placed, skipped
    assert points == [{"time": "2026-11-30T15:00:00+00:00", "temperature": 11.04, "precipitation_probability": 20,
                       "wind_speed": 9, "conditions": "Partly cloudy"}]


@pytest.mark.django_db
def test_twice_daily_halves_become_days(settings: Any) -> None:
    settings.TIME_ZONE = "UTC"
    days = daily_points([
        {"datetime": "2026-11-30T06:00:00+00:00", "is_daytime": True, "condition": "rainy", "temperature": 9,
         "precipitation_probability": 70},
        {"datetime": "2026-11-30T18:00:00+00:00", "is_daytime": False, "condition": "clear-night",
         "temperature": 2, "precipitation_probability": 10},
        {"datetime": "2026-12-01T12:00:00+00:00", "condition": "sunny", "temperature": 8, "templow": 1}])
    assert days == [
        {"date": "2026-11-30", "temperature_max": 9, "temperature_min": 2, "precipitation_probability": 70,
         "conditions": "Rain"},
        {"date": "2026-12-01", "temperature_max": 8, "temperature_min": 1, "precipitation_probability": None,
         "conditions": "Sunny"}]


@pytest.mark.django_db(transaction=True)
async def test_forecasts_are_pushed_and_follow_changes(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim).start()
    try:
        daily = await eventually(lambda: _points("weather.home#forecast_daily"))
        hourly = await eventually(lambda: _points("weather.home#forecast_hourly"))
        assert len(daily) == 7 and {"date", "temperature_max", "temperature_min"} <= set(daily[0])
        assert len(hourly) == 24 and "time" in hourly[0]
        assert running.monitor.forecasts is not None and running.monitor.forecasts.mode == "subscribe"
        sim.set_forecast("weather.home", "daily", [{"datetime": "2026-12-24T12:00:00+00:00", "condition": "snowy",
                                                   "temperature": -2, "templow": -8}])
        changed = await eventually(lambda: _points("weather.home#forecast_daily", length=1))
        assert changed[0]["conditions"] == "Snow" and changed[0]["temperature_min"] == -8
    finally:
        await running.stop()


@pytest.mark.django_db(transaction=True)
async def test_an_older_server_is_asked_with_get_forecasts(sim: HassSimulator) -> None:
    sim.forecasts.push_available = False  # "unknown_command", as before HA 2023.9
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim).start()
    try:
        daily = await eventually(lambda: _points("weather.home#forecast_daily"))
        assert len(daily) == 7
        assert running.monitor.forecasts is not None and running.monitor.forecasts.mode == "service"
    finally:
        await running.stop()


async def _points(key: str, length: int | None = None) -> list[dict[str, Any]] | None:
    value = await value_of(key)
    if not isinstance(value, list) or not value or (length is not None and len(value) != length):
        return None
    return value


@pytest.mark.django_db(transaction=True)
def test_the_weather_page_draws_a_home_assistant_weather_entity(threaded_sim: HassSimulator) -> None:
    from django.test import Client

    from hi.apps.access.testing import make_user
    from hi.apps.entity.models import Entity, EntityState
    from hi.services.hass.hass_forecasts import forecast_response
    from hi.simulator.hass.forecasts import demo_forecast

    configure(threaded_sim)
    run_sync("hass")
    own = Entity.objects.create(name="Hub station", entity_type="weather_station")  # listed first
    weather = Entity.objects.get(integration_id="hass", integration_name="weather.home")
    for kind in ("hourly", "daily"):
        response = forecast_response("weather.home", kind, demo_forecast(kind))
        assert response is not None
        EntityState.objects.filter(entity=weather, state_key=f"weather.home#forecast_{kind}").update(
            value=response.value)
    client = Client()
    client.force_login(make_user("alice", role="viewer"))
    body = client.get(f"/weather/?station={weather.pk}").content.decode()
    assert f"?station={own.pk}" in body and "Now at " + weather.name in body
    assert "Partly cloudy" in body and "12.4" in body  # the condition in words, the temperature
    assert '"label": "High"' in body and '"label": "Temperature"' in body  # both charts have series
