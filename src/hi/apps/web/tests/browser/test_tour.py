"""In Chromium: cameras, weather, events and health pages with ZoneMinder and weather running against
their simulators (through the worker), each saved as a screenshot for the README."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from hi.apps.access.testing import PASSWORD, make_user
from hi.apps.entity.enums import EntityType
from hi.apps.entity.models import EntityState
from hi.apps.event.models import Event
from hi.integrations.client import reset_breakers, reset_metrics
from hi.integrations.models import Integration
from hi.simulator.weather import SIMULATOR as WeatherSimulator
from hi.simulator.zoneminder import ZoneMinderSimulator

from .conftest import log_in, screenshot, start_integration, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def simulators() -> Iterator[tuple[ZoneMinderSimulator, WeatherSimulator]]:
    reset_breakers()
    reset_metrics()
    zoneminder, weather = ZoneMinderSimulator(motion=False, seed_history=True), WeatherSimulator()
    with zoneminder.running_in_thread(), weather.running_in_thread():
        yield zoneminder, weather
    reset_breakers()


def test_cameras_weather_events_health(browser_page, live_hub, simulators):
    zoneminder, weather = simulators
    page = browser_page
    make_user("alice", password=PASSWORD)
    start_integration("zoneminder", zoneminder.integration_attributes())
    start_integration("weather", weather.integration_attributes())
    wait_for(lambda: Integration.objects.filter(integration_id="zoneminder", last_success_at__isnull=False).exists(),
             what="the first ZoneMinder poll")  # earlier events count as history, not news
    now = dt.datetime.now(dt.UTC)
    zoneminder.state.add_event(1, now - dt.timedelta(seconds=40), now - dt.timedelta(seconds=28))
    zoneminder.state.add_event(2, now - dt.timedelta(seconds=30), now - dt.timedelta(seconds=5), score=77)
    zoneminder.state.start_event(3, now - dt.timedelta(seconds=3))
    wait_for(lambda: Event.objects.filter(entity__entity_type=EntityType.CAMERA, end__isnull=False).count() >= 2
             and Event.objects.filter(entity__entity_type=EntityType.CAMERA, end__isnull=True).exists(),
             what="two finished motion events and one still going")
    wait_for(lambda: EntityState.objects.filter(state_key="forecast_hourly", value__isnull=False).exists(),
             what="the weather forecast")

    log_in(page)

    page.goto("/cameras/")
    page.wait_for_selector("img.camera-frame")
    page.wait_for_function("Array.from(document.querySelectorAll('img.camera-frame')).every(i => i.complete)")
    assert page.evaluate("document.querySelector('img.camera-frame').naturalWidth") > 0  # through the proxy
    assert zoneminder.password not in page.content()
    assert "12 s" in page.inner_text("main")
    screenshot(page, "cameras")

    page.goto("/weather/")
    page.wait_for_selector("canvas.series-chart")
    assert "°C" in page.inner_text("main")
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 2")
    screenshot(page, "weather")

    page.goto("/events/?period=24h")
    assert "Motion" in page.inner_text("table")
    screenshot(page, "events")

    page.goto("/health/")
    page.wait_for_selector("text=running")
    screenshot(page, "health")

    page.goto("/integrations/weather/configure")
    screenshot(page, "configure")
