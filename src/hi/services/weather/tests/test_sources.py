"""Each source's client against the simulator over real sockets: payload shapes, quirks and refusals."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from hi.integrations.exceptions import RequestError
from hi.services.weather.service import WeatherService
from hi.services.weather.sources.base import SourceSettings
from hi.services.weather.sources.nws import NwsSource
from hi.services.weather.sources.openmeteo import OpenMeteoSource
from hi.services.weather.store import MemoryStore
from hi.simulator.weather import WeatherSimulator

from .conftest import LATITUDE, LONGITUDE, SimClock, make_service


def report_of(service: WeatherService, name: str):
    source = next(s for s in service.sources if s.spec.name == name)
    return source.collect(service.fetcher_for(source), service.clock())


def test_nws_observation_is_converted_to_metric_with_its_own_timestamp(service: WeatherService,
                                                                      sim: WeatherSimulator,
                                                                      clock: SimClock) -> None:
    sim.observation.overrides.update({"temperature": 21.5, "barometricPressure": 101325.0, "visibility": 9000.0})
    report = report_of(service, "nws")
    assert report.current["temperature"].value == 21.5
    assert report.current["pressure"].value == pytest.approx(1013.25)
    assert report.current["visibility"].value == pytest.approx(9.0)
    assert report.current["temperature"].observed_at < clock.now  # observations arrive late


def test_nws_null_values_are_left_for_other_sources_to_fill(service: WeatherService, sim: WeatherSimulator) -> None:
    sim.observation.overrides.update({"temperature": None, "windSpeed": None})
    report = report_of(service, "nws")
    assert "temperature" not in report.current and "wind_speed" not in report.current
    merged = service.refresh().values
    assert merged["temperature"].source == "openmeteo" and merged["humidity"].source == "nws"


def test_nws_forecasts_become_chartable_series_and_alerts_are_read(service: WeatherService,
                                                                   sim: WeatherSimulator, clock: SimClock) -> None:
    sim.add_alert("Tornado Warning", severity="Extreme", expires=clock.now + dt.timedelta(hours=1))
    report = report_of(service, "nws")
    assert report.hourly is not None and len(report.hourly) == 48
    assert all(point.temperature is not None for point in report.hourly)
    assert report.daily is not None and len(report.daily) >= 7
    assert [a.event for a in report.alerts or []] == ["Tornado Warning"] and report.alerts[0].alarm


def test_nws_refuses_requests_without_a_user_agent(sim: WeatherSimulator) -> None:
    response = httpx.get(f"{sim.base_url('nws')}/points/{LATITUDE},{LONGITUDE}", headers={"User-Agent": ""})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


def test_nws_rejects_unknown_query_parameters(sim: WeatherSimulator) -> None:
    response = httpx.get(f"{sim.base_url('nws')}/alerts/active", params={"point": "41,-87", "colour": "red"},
                         headers={"User-Agent": "tests"})
    assert response.status_code == 400


def test_a_point_outside_nws_coverage_is_a_clear_error(sim: WeatherSimulator, clock: SimClock) -> None:
    source = NwsSource(SourceSettings(51.5, -0.12, sim.base_url("nws"), "tests@example.invalid"))
    service = WeatherService([source], MemoryStore(), clock)
    with pytest.raises(RequestError, match="outside NWS coverage"):
        source.probe(service.fetcher_for(source))
    service.close()


def test_open_meteo_report_has_current_hourly_daily_and_sun(service: WeatherService) -> None:
    report = report_of(service, "openmeteo")
    assert {"temperature", "humidity", "wind_speed", "pressure", "conditions"} <= set(report.current)
    assert report.hourly is not None and len(report.hourly) == 7 * 24
    assert report.daily is not None and len(report.daily) == 7 and report.sunrise is not None


def test_open_meteo_times_are_local_and_converted_to_utc(service: WeatherService, clock: SimClock) -> None:
    report = report_of(service, "openmeteo")
    observed = report.current["temperature"].observed_at
    assert observed.tzinfo is not None and dt.timedelta(0) <= clock.now - observed < dt.timedelta(minutes=15)


def test_open_meteo_bad_variable_is_a_400_with_a_reason(sim: WeatherSimulator) -> None:
    response = httpx.get(f"{sim.base_url('openmeteo')}/v1/forecast",
                         params={"latitude": "1", "longitude": "2", "current": "temperature_2m,banana"})
    assert response.status_code == 400 and response.json()["error"] is True and "banana" in response.json()["reason"]


def test_open_meteo_over_its_minute_limit_answers_429_and_we_fall_back(service: WeatherService,
                                                                      sim: WeatherSimulator,
                                                                      clock: SimClock) -> None:
    first = service.refresh()
    sim.openmeteo_per_minute = 0
    clock.advance(minutes=20)
    second = service.refresh()
    assert second.sources["openmeteo"].state == "failing"
    assert "429" in second.sources["openmeteo"].message
    assert first.values["forecast_hourly"].source == "nws"


def test_sunrise_sunset_status_not_ok_is_a_failure_and_is_not_cached(sim: WeatherSimulator,
                                                                    clock: SimClock) -> None:
    service = make_service(sim, clock, sources=("sunrise_sunset",))
    sim.sun_status = "UNKNOWN_ERROR"
    snapshot = service.refresh()
    assert snapshot.sources["sunrise_sunset"].state == "failing"
    assert "UNKNOWN_ERROR" in snapshot.sources["sunrise_sunset"].message and "sunrise" not in snapshot.values
    sim.sun_status = "OK"
    clock.advance(minutes=1)
    snapshot = service.refresh()
    assert snapshot.values["sunrise"].source == "sunrise_sunset" and not snapshot.values["sunrise"].stale
    service.close()


def test_open_meteo_alone_serves_places_nws_does_not_cover(sim: WeatherSimulator, clock: SimClock) -> None:
    source = OpenMeteoSource(SourceSettings(51.5, -0.12, sim.base_url("openmeteo")))
    service = WeatherService([source], MemoryStore(), clock)
    snapshot = service.refresh()
    assert snapshot.serving == "openmeteo" and snapshot.values["temperature"].stale is False
    service.close()


def test_a_permanent_refusal_is_not_asked_again_every_poll(sim: WeatherSimulator, clock: SimClock) -> None:
    service = make_service(sim, clock, sources=("nws",), latitude=51.5, longitude=-0.12)
    for _ in range(5):
        snapshot = service.refresh()
        clock.advance(minutes=1)
    assert snapshot.sources["nws"].state == "failing" and "404" in snapshot.sources["nws"].message
    assert sum(1 for _, path in sim.request_log if "/points/" in path) == 1
    clock.advance(hours=1)
    service.refresh()
    assert sum(1 for _, path in sim.request_log if "/points/" in path) == 2
    service.close()
