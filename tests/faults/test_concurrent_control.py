"""Several clients controlling lights at once while the live monitor reports the same changes:
one Home Assistant state change is one history row, whoever reports it first."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from hi.apps.control.dispatch import dispatch_control
from hi.integrations.sync.engine import run_sync
from hi.services.hass.testing import configure, eventually
from hi.simulator.hass import HassSimulator

from .conftest import LONG
from .harness import LiveHass, duplicate_history_rows, history_of

pytestmark = pytest.mark.django_db(transaction=True)
LIGHTS = ("light.porch", "light.kitchen", "light.hallway", "light.office")


def _toggle(light: str, times: int, errors: list[BaseException]) -> None:
    try:
        for step in range(times):
            dispatch_control(f"hass:{light}", "on" if step % 2 == 0 else "off", requested_by="fault-suite")
    except BaseException as error:  # reported by the test, not lost in the thread
        errors.append(error)
    finally:
        connection.close()


async def test_concurrent_control_writes_one_history_row_per_change(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    live = await LiveHass(sim).start()
    started = dt.datetime.now(dt.UTC)
    times = 60 if LONG else 16
    errors: list[BaseException] = []
    try:
        threads = [threading.Thread(target=_toggle, args=(light, times, errors)) for light in LIGHTS]
        for thread in threads:
            thread.start()
        await asyncio.gather(*(asyncio.to_thread(thread.join) for thread in threads))
        assert not errors, errors
        final = "on" if times % 2 == 1 else "off"
        for light in LIGHTS:
            await eventually(lambda light=light: _last_value_is(light, final))
        await live.monitor._queue.idle.wait()  # everything the monitor received is submitted
        assert await duplicate_history_rows() == 0
        for light in LIGHTS:
            recorded = [row for row in await history_of(light) if row[0] >= started]
            changes = [(s.last_updated, s.state) for s in sim.store.history(light, started)
                       if s.last_updated > started]
            assert recorded == changes, light  # every change Home Assistant made, once
    finally:
        await live.stop()


async def _last_value_is(light: str, value: str) -> bool:
    recorded = await history_of(light)
    return bool(recorded) and recorded[-1][1] == value
