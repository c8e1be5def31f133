"""Rate limits and the cache persist in the database: restarts neither burst requests nor lose data."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from hi.services.weather.db_store import DatabaseStore
from hi.services.weather.sources import available_sources
from hi.services.weather.sources.base import RateLimit
from hi.simulator.weather import WeatherSimulator

from .conftest import SimClock, make_service

pytestmark = pytest.mark.django_db


def worst_window(times: list[dt.datetime], seconds: float) -> int:
    """The most requests inside any sliding window of ``seconds``."""
    ordered = sorted(times)
    worst, start = 0, 0
    for end, moment in enumerate(ordered):
        while (moment - ordered[start]).total_seconds() >= seconds:
            start += 1
        worst = max(worst, end - start + 1)
    return worst


def by_source(sim: WeatherSimulator) -> dict[str, list[dt.datetime]]:
    grouped: dict[str, list[dt.datetime]] = defaultdict(list)
    for source, moment in sim.request_times:
        grouped[source].append(moment)
    return grouped


def test_the_store_admits_within_limits_across_instances() -> None:
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    limits = (RateLimit(max_requests=2, per_seconds=60),)
    assert DatabaseStore().try_acquire("x", limits, now)
    assert DatabaseStore().try_acquire("x", limits, now + dt.timedelta(seconds=1))
    assert not DatabaseStore().try_acquire("x", limits, now + dt.timedelta(seconds=2))  # a "restarted" store
    assert DatabaseStore().try_acquire("x", limits, now + dt.timedelta(seconds=61))


def test_a_restart_asks_nothing_while_the_cache_is_fresh_and_keeps_the_last_data(sim: WeatherSimulator,
                                                                                  clock: SimClock) -> None:
    first = make_service(sim, clock, DatabaseStore())
    before = first.refresh()
    first.close()
    asked = len(sim.request_times)
    clock.advance(seconds=30)
    restarted = make_service(sim, clock, DatabaseStore())
    after = restarted.refresh()
    restarted.close()
    assert len(sim.request_times) == asked
    assert after.values["temperature"].value == before.values["temperature"].value
    assert after.serving == "nws"


def test_restarting_every_few_minutes_for_three_hours_never_exceeds_any_limit(sim: WeatherSimulator,
                                                                            clock: SimClock) -> None:
    service = make_service(sim, clock, DatabaseStore())
    for minute in range(3 * 60):
        if minute % 3 == 0:  # a restart: nothing but the database carries over
            service.close()
            service = make_service(sim, clock, DatabaseStore())
        if minute == 60:
            sim.fail("nws", 503, seconds=3600)  # an hour of outage: retries must count against the limit too
        service.refresh()
        clock.advance(minutes=1)
    service.close()
    times = by_source(sim)
    for name, source in available_sources().items():
        for limit in source.spec.rate_limits:
            assert worst_window(times[name], limit.per_seconds) <= limit.max_requests, name
    # points and astronomy are cached for hours: asked once in three hours, not once per restart
    points = [path for _, path in sim.request_log if "/nws/points/" in path]
    assert len(points) == 1 and len(times["sunrise_sunset"]) == 1
    assert len(times["openmeteo"]) <= 3 * 4 + 1  # its 15-minute cache, restarts or not


def test_answers_nobody_asked_for_again_in_a_week_are_forgotten() -> None:
    store = DatabaseStore()
    day = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    store.save("sunrise_sunset", "sun:2026-06-01", {"status": "OK"}, day)
    store.save("sunrise_sunset", "sun:2026-06-09", {"status": "OK"}, day + dt.timedelta(days=8))
    assert store.load("sunrise_sunset", "sun:2026-06-01") is None
    assert store.load("sunrise_sunset", "sun:2026-06-09") is not None
