"""Sources failing alone and together: values keep flowing, stale data shows as stale, health names the server."""

from __future__ import annotations

from hi.services.weather.merge import MERGED_FIELDS
from hi.services.weather.service import WeatherService
from hi.simulator.weather import WeatherSimulator

from .conftest import SOURCES, SimClock

CURRENT = ("temperature", "humidity", "dew_point", "wind_speed", "wind_direction", "pressure", "visibility",
           "conditions")


def sources_of(snapshot, fields=CURRENT) -> set[str]:
    return {snapshot.values[name].source for name in fields}


def test_with_every_source_up_nws_serves_current_and_sunrise_sunset_serves_the_sun(service: WeatherService) -> None:
    snapshot = service.refresh()
    assert sources_of(snapshot) == {"nws"} and snapshot.serving == "nws"
    assert sources_of(snapshot, ("sunrise", "sunset")) == {"sunrise_sunset"}
    assert set(snapshot.values) == set(MERGED_FIELDS) and not snapshot.any_stale
    assert snapshot.summary() == "serving from nws"


def test_primary_down_the_next_source_serves_within_one_poll(service: WeatherService, sim: WeatherSimulator,
                                                            clock: SimClock) -> None:
    service.refresh()
    sim.fail("nws", 503)
    clock.advance(minutes=6)  # the next poll that needs a new observation
    snapshot = service.refresh()
    assert sources_of(snapshot) == {"openmeteo"} and snapshot.serving == "openmeteo"
    assert not any(snapshot.values[name].stale for name in CURRENT)
    assert snapshot.sources["nws"].state == "failing" and "503" in snapshot.sources["nws"].message
    assert snapshot.summary().startswith("serving from openmeteo") and "failing: nws" in snapshot.summary()


def test_primary_back_it_serves_again(service: WeatherService, sim: WeatherSimulator, clock: SimClock) -> None:
    sim.fail("nws", 503)
    assert service.refresh().serving == "openmeteo"
    sim.recover("nws")
    clock.advance(minutes=6)
    snapshot = service.refresh()
    assert snapshot.serving == "nws" and snapshot.sources["nws"].state == "ok"


def test_open_meteo_failing_alone_changes_nothing_visible(service: WeatherService, sim: WeatherSimulator,
                                                         clock: SimClock) -> None:
    sim.fail("openmeteo", 500)
    snapshot = service.refresh()
    assert snapshot.serving == "nws" and snapshot.sources["openmeteo"].state == "failing"
    assert not snapshot.any_stale


def test_sunrise_sunset_failing_alone_lets_open_meteo_give_the_sun(service: WeatherService,
                                                                  sim: WeatherSimulator) -> None:
    sim.fail("sunrise_sunset", 503)
    snapshot = service.refresh()
    assert sources_of(snapshot, ("sunrise", "sunset")) == {"openmeteo"}
    assert snapshot.sources["sunrise_sunset"].state == "failing"


def test_all_failing_keeps_the_last_good_data_shown_stale_with_its_age(service: WeatherService,
                                                                      sim: WeatherSimulator,
                                                                      clock: SimClock) -> None:
    good = service.refresh()
    for name in SOURCES:
        sim.fail(name, 503)
    clock.advance(hours=13)  # past even the astronomy cache, so every source is asked and fails
    snapshot = service.refresh()
    assert {s.state for s in snapshot.sources.values()} == {"failing"}
    assert snapshot.serving is None and snapshot.alerts is None
    temperature = snapshot.values["temperature"]
    newest = max((r.current["temperature"] for r in good.reports if "temperature" in r.current),
                 key=lambda reading: reading.observed_at)
    assert temperature.stale and (temperature.value, temperature.observed_at) == (newest.value, newest.observed_at)
    assert temperature.age_seconds(clock.now) >= 13 * 3600
    assert temperature.provenance(clock.now)["stale"] is True
    assert all(value.stale for value in snapshot.values.values())
    assert snapshot.summary().startswith("no source is serving fresh conditions")


def test_all_failing_from_the_start_gives_no_values_and_no_crash(sim: WeatherSimulator, clock: SimClock,
                                                                service: WeatherService) -> None:
    for name in SOURCES:
        sim.fail(name, 503)
    snapshot = service.refresh()
    assert snapshot.values == {} and {s.state for s in snapshot.sources.values()} == {"failing"}


def test_stale_nws_observation_is_replaced_by_a_fresher_worse_source(service: WeatherService,
                                                                    sim: WeatherSimulator, clock: SimClock) -> None:
    from datetime import timedelta

    sim.observation.lag = timedelta(hours=4)  # the station stopped reporting hours ago
    snapshot = service.refresh()
    assert snapshot.serving == "openmeteo" and sources_of(snapshot) == {"openmeteo"}


def test_malformed_payload_is_skipped_and_the_last_good_one_kept(service: WeatherService, sim: WeatherSimulator,
                                                                clock: SimClock) -> None:
    service.refresh()
    sim.observation.overrides["temperature"] = "warm"  # schema drift: a string where a number belongs
    clock.advance(minutes=6)
    snapshot = service.refresh()
    assert snapshot.sources["nws"].state == "failing" and "temperature" in snapshot.sources["nws"].message
    assert snapshot.values["temperature"].source == "openmeteo"
