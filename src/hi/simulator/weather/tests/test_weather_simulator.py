"""The weather simulator's own behaviour: profiles, the control endpoint, the alert script, protocol quirks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest

from hi.simulator.weather import SIMULATOR, WeatherSimulator

UA = {"User-Agent": "tests (tests@example.invalid)"}


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def running(profile: str, clock: Clock) -> Iterator[WeatherSimulator]:
    sim = SIMULATOR(profile=profile, clock=clock)
    with sim.running_in_thread():
        yield sim


@pytest.fixture
def demo(clock: Clock) -> Iterator[WeatherSimulator]:
    yield from running("demo", clock)


@pytest.fixture
def flaky(clock: Clock) -> Iterator[WeatherSimulator]:
    yield from running("flaky", clock)


def alerts(sim: WeatherSimulator) -> list[str]:
    body = httpx.get(f"{sim.base_url('nws')}/alerts/active", params={"point": "41.8,-87.6"}, headers=UA).json()
    return [feature["properties"]["event"] for feature in body["features"]]


def test_demo_alert_script_raises_and_clears_alerts_on_the_clock(demo: WeatherSimulator, clock: Clock) -> None:
    assert alerts(demo) == []
    clock.now += dt.timedelta(minutes=4)
    assert alerts(demo) == ["Wind Advisory", "Severe Thunderstorm Warning"]
    clock.now += dt.timedelta(minutes=12)
    assert alerts(demo) == ["Wind Advisory"]
    clock.now += dt.timedelta(minutes=20)
    assert alerts(demo) == []


def test_flaky_profile_answers_503_for_ten_minutes_then_recovers(flaky: WeatherSimulator, clock: Clock) -> None:
    url = f"{flaky.base_url('nws')}/points/41.8781,-87.6298"
    assert httpx.get(url, headers=UA).status_code == 503
    clock.now += dt.timedelta(minutes=11)
    assert httpx.get(url, headers=UA).status_code == 200


def test_control_endpoint_fails_recovers_and_raises_alerts(demo: WeatherSimulator) -> None:
    control = f"{demo.url}/_sim/weather"
    forecast = f"{demo.base_url('openmeteo')}/v1/forecast?latitude=1&longitude=2"
    assert httpx.post(control, json={"fail": "openmeteo", "status": 500}).status_code == 200
    assert httpx.get(forecast).status_code == 500
    httpx.post(control, json={"recover": "openmeteo"})
    assert httpx.get(forecast).status_code == 200
    created = httpx.post(control, json={"alert": {"event": "Heat Advisory", "severity": "Moderate", "minutes": 5}})
    assert "Heat Advisory" in alerts(demo) and created.json()["id"]
    assert httpx.post(control, json={"fail": "nws", "status": "loud"}).status_code == 400


def test_points_with_more_than_four_decimals_are_refused(demo: WeatherSimulator) -> None:
    assert httpx.get(f"{demo.base_url('nws')}/points/41.87812,-87.6298", headers=UA).status_code == 400


def test_observation_values_may_be_null_and_old(demo: WeatherSimulator, clock: Clock) -> None:
    demo.observation.overrides["windSpeed"] = None
    demo.observation.lag = dt.timedelta(hours=3)
    body = httpx.get(f"{demo.base_url('nws')}/stations/KSIM/observations/latest", headers=UA).json()
    assert body["properties"]["windSpeed"]["value"] is None
    taken = dt.datetime.fromisoformat(body["properties"]["timestamp"])
    assert clock.now - taken > dt.timedelta(hours=3)


def test_sunrise_sunset_reports_problems_in_status_not_http_code(demo: WeatherSimulator) -> None:
    bad = httpx.get(f"{demo.base_url('sunrise_sunset')}/json", params={"lat": "200", "lng": "0", "formatted": "0"})
    assert bad.status_code == 200 and bad.json()["status"] == "INVALID_REQUEST"
    good = httpx.get(f"{demo.base_url('sunrise_sunset')}/json",
                     params={"lat": "41.9", "lng": "-87.6", "date": "2026-06-21", "formatted": "0"}).json()
    rise = dt.datetime.fromisoformat(good["results"]["sunrise"])
    assert good["status"] == "OK" and (rise.hour, good["results"]["day_length"] > 15 * 3600) == (10, True)


def test_open_meteo_arrays_align_with_time(demo: WeatherSimulator) -> None:
    body = httpx.get(f"{demo.base_url('openmeteo')}/v1/forecast", params={
        "latitude": "41.9", "longitude": "-87.6", "hourly": "temperature_2m,weather_code",
        "daily": "sunrise", "forecast_days": "2", "timezone": "auto"}).json()
    assert len(body["hourly"]["time"]) == len(body["hourly"]["temperature_2m"]) == 48
    assert body["utc_offset_seconds"] == -6 * 3600 and len(body["daily"]["sunrise"]) == 2
