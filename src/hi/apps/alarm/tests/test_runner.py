"""The worker's alarm ticker on a ManualClock: a held-for rule fires on time although the hub restarted."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async

from hi.apps.alarm import runner
from hi.apps.alarm.engine import get_engine, reset_engine
from hi.apps.alarm.models import Alert
from hi.apps.alarm.rules import create_rule
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.utils.clock import ManualClock

from .helpers import T0, change

pytestmark = pytest.mark.django_db(transaction=True)


async def _run_ticker_until(clock: ManualClock, seconds: int) -> None:
    """Start a ticker (a fresh worker), move time second by second, stop it."""
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run_ticker(clock, stop))
    for _ in range(seconds):
        await clock.wait_for_sleepers(len(clock.sleep_calls) + 1)
        clock.advance(runner.TICK_SECONDS)
    await clock.wait_for_sleepers(len(clock.sleep_calls) + 1)
    stop.set()
    await asyncio.wait_for(task, 10)


def _setup(clock: ManualClock) -> None:
    door = make_device("Garage door", S.OPEN_CLOSE, value="closed")
    create_rule({"name": "Garage open 10 min",
                 "conditions": [{"state": door.state.pk, "op": "eq", "value": "open", "held_for": 600}]})
    get_engine().evaluate_changes([change(door, "open", 0)], now=clock.now())


async def test_held_for_fires_at_the_right_second_across_a_restart():
    clock = ManualClock(start=T0)
    await sync_to_async(_setup)(clock)
    alerts = sync_to_async(lambda: list(Alert.objects.all()))

    await _run_ticker_until(clock, 300)  # the first run of the hub: 5 minutes
    assert await alerts() == []

    reset_engine()  # restart: a new process knows only the database
    clock.advance(200)  # the hub was down for 200 s
    await _run_ticker_until(clock, 99)  # now at 599 s
    assert await alerts() == []
    await _run_ticker_until(clock, 1)  # 600 s
    [alert] = await alerts()
    assert alert.opened_at == T0.replace(minute=10)
