"""Fixtures: the weather simulator on a real loopback socket and a clock both it and the hub read."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest

from hi.services.weather.service import WeatherService
from hi.services.weather.store import MemoryStore, RequestStore
from hi.services.weather.testing import *  # noqa: F403 - ``sim`` (on this conftest's ``clock``), ``manual``
from hi.services.weather.transport import WEATHER_RETRY, ClientTransport
from hi.simulator.weather import WeatherSimulator

SOURCES = ("nws", "openmeteo", "sunrise_sunset")
LATITUDE, LONGITUDE = 41.8781, -87.6298
QUICK_RETRY = dataclasses.replace(WEATHER_RETRY, base_delay=0.001, max_delay=0.002)  # same shape, no waiting


class SimClock:
    """Wall time that moves only when a test says so; shared by the simulator and the service."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> SimClock:
    """The plain settable clock (in place of testing's manual one): ``sim`` and ``make_service`` read it."""
    return SimClock()


def make_service(sim: WeatherSimulator, clock: SimClock, store: RequestStore | None = None,
                 sources: tuple[str, ...] = SOURCES, latitude: float = LATITUDE,
                 longitude: float = LONGITUDE) -> WeatherService:
    urls = {name: sim.base_url(name) for name in SOURCES}
    store = store or MemoryStore()
    return WeatherService.configure(sources, latitude, longitude, urls, store, contact="tests@example.invalid",
                                    clock=clock, transport_factory=lambda spec: ClientTransport(
                                        spec, store, clock, retry=QUICK_RETRY))


@pytest.fixture
def service(sim: WeatherSimulator, clock: SimClock) -> Iterator[WeatherService]:
    built = make_service(sim, clock)
    yield built
    built.close()
