"""Test support for the weather service, shared by its own tests and the alarm's severe-weather tests.

The simulator runs on a real loopback socket and reads the same ``ManualClock`` the monitor sleeps on, so
a test moves time for both at once. Import the fixtures into a conftest.py:

    from hi.services.weather.testing import *  # noqa: F403

``sim`` reads whatever ``clock`` fixture is in scope (a conftest may give a plainer clock); ``clock`` here
is the manual one. ``close_thread_connections`` is not autouse: name it in ``usefixtures`` where a test
runs the monitor.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from hi.apps.monitor.context import WorkerContext
from hi.apps.sense.pipeline import get_pipeline
from hi.integrations import lifecycle
from hi.integrations.sync.engine import run_sync
from hi.simulator.weather import WeatherSimulator
from hi.utils.clock import ManualClock

from .monitor import WeatherMonitor

__all__ = ["clock", "close_thread_connections", "manual", "sim"]

START = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
async def close_thread_connections() -> Any:
    """Threads the monitor used (sync_to_async's, the pipeline's) must not keep the test database open."""
    yield
    close = lambda: connection.close()  # noqa: E731 - resolve ``connection`` in the thread that closes it
    await sync_to_async(close)()
    await asyncio.get_running_loop().run_in_executor(get_pipeline()._get_executor(), close)


@pytest.fixture
def manual() -> ManualClock:
    return ManualClock(start=START)


@pytest.fixture
def clock(manual: ManualClock) -> Callable[[], dt.datetime]:
    """The simulator reads the same manual clock the monitor sleeps on."""
    return manual.now


@pytest.fixture
def sim(clock: Callable[[], dt.datetime]) -> Iterator[WeatherSimulator]:
    """The weather simulator (all three sources, no alerts yet) on a real loopback socket, in its own thread."""
    simulator = WeatherSimulator(profile="quiet", clock=clock)
    with simulator.running_in_thread():
        yield simulator


def configure_and_sync(attributes: dict[str, str]) -> None:
    lifecycle.configure("weather", attributes, test=False)
    run_sync("weather")


async def started(sim: WeatherSimulator, manual: ManualClock) -> tuple[WeatherMonitor, WorkerContext]:
    """The integration configured against ``sim`` and synced, and a monitor started on the manual clock."""
    attributes = sim.integration_attributes()
    await sync_to_async(configure_and_sync)(attributes)
    context = WorkerContext("weather", attributes, clock=manual)
    monitor = WeatherMonitor()
    monitor.start(context)
    return monitor, context
