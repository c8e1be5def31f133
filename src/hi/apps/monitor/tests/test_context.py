"""MonitorContext: a read-only snapshot of settings and a sleep that ends the moment a stop is asked."""

from __future__ import annotations

import asyncio

import pytest

from hi.apps.monitor.clock import Clock, ManualClock
from hi.apps.monitor.context import MonitorContext


async def test_sleep_returns_early_and_says_so_when_stopping():
    context = MonitorContext("toy", {}, clock=Clock())
    sleeper = asyncio.create_task(context.sleep(3600))
    await asyncio.sleep(0)
    context.stop_event.set()
    assert await asyncio.wait_for(sleeper, 2) is True
    assert context.stopping


async def test_sleep_runs_its_course_when_nobody_stops_it():
    clock = ManualClock()
    context = MonitorContext("toy", {}, clock=clock)
    sleeper = asyncio.create_task(context.sleep(30))
    await clock.wait_for_sleepers(1)
    clock.advance(29)
    await asyncio.sleep(0)
    assert not sleeper.done()
    clock.advance(1)
    assert await asyncio.wait_for(sleeper, 2) is False
    assert context.now() == clock.now()


def test_attributes_are_a_read_only_snapshot():
    source = {"base_url": "http://127.0.0.1:1"}
    context = MonitorContext("toy", source)
    source["base_url"] = "changed"
    assert context.attributes["base_url"] == "http://127.0.0.1:1"
    with pytest.raises(TypeError):
        context.attributes["base_url"] = "x"  # type: ignore[index]


async def test_submitting_nothing_touches_nothing():
    context = MonitorContext("toy", {})
    assert await context.submit([]) == []
    assert context.submitted == 0
