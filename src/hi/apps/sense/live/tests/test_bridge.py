"""The live bridge: other processes' committed changes reach this process's bus; its own never twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.sense.live import feed as live_feed
from hi.apps.sense.live.bridge import LiveBridge
from hi.apps.sense.live.bus import LiveBus, StateChange
from hi.apps.sense.models import LiveChange
from hi.apps.sense.pipeline import SensorResponsePipeline
from hi.apps.sense.testing import in_thread
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db(transaction=True)


def process_as(origin: str, name: str, value, seconds: float) -> list[StateChange]:
    """A batch committed by the pipeline of the process called ``origin`` (its own bus stays private)."""
    pipeline = SensorResponsePipeline(LiveBus(), origin=origin)
    return pipeline.process([SensorResponse(IntegrationKey("test", name), value, T0 + dt.timedelta(seconds=seconds))])


@pytest.fixture
async def bridge():
    bridge = LiveBridge(LiveBus(), origin="web", poll_interval=0.05, max_backoff=0.1)
    yield bridge
    task = bridge.task
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await bridge.close()


async def test_changes_from_another_process_are_published_and_this_processs_own_are_not(bridge):
    await in_thread(make_device, "thermo", S.TEMPERATURE, value=20.0)
    await in_thread(process_as, "worker", "thermo", 19.0, 0)  # before the bridge started: history
    subscription = bridge.bus.subscribe()
    await bridge.start_at_tail()
    theirs = await in_thread(process_as, "worker", "thermo", 21.0, 1)
    await in_thread(process_as, "web", "thermo", 22.0, 2)  # this process published it already
    assert await bridge.poll_once() == 1
    assert [await subscription.get(timeout=5)] == theirs
    assert subscription.pending() == 0
    assert bridge.cursor == await in_thread(live_feed.tail_id)
    assert await bridge.poll_once() == 0  # nothing new: nothing again


async def test_a_row_committed_late_below_the_cursor_is_still_delivered(bridge):
    change = {"entity_id": 1, "state_id": 2, "integration_keys": ["test:a"], "value": 5, "timestamp": T0.isoformat()}
    await bridge.start_at_tail()
    base = bridge.cursor
    subscription = bridge.bus.subscribe()

    def add(row_id: int, value: int) -> None:
        LiveChange.objects.create(id=row_id, created_at=timezone.now(), origin="worker",
                                  changes=[change | {"value": value}])

    await in_thread(add, base + 3, 3)  # ids 1 and 2 belong to transactions still open
    assert await bridge.poll_once() == 1
    await in_thread(add, base + 1, 1)
    assert await bridge.poll_once() == 1
    assert [(await subscription.get(timeout=5)).value for _ in range(2)] == [3, 1]
    assert bridge.cursor == base + 3


async def test_a_backlog_larger_than_one_read_is_published_in_one_poll(bridge):
    change = {"entity_id": 1, "state_id": 2, "integration_keys": ["test:a"], "value": 0, "timestamp": T0.isoformat()}
    await bridge.start_at_tail()
    subscription = bridge.bus.subscribe(maxsize=2000)
    rows = [LiveChange(created_at=timezone.now(), origin="worker", changes=[change | {"value": n}]) for n in range(1201)]
    await in_thread(LiveChange.objects.bulk_create, rows)
    assert await bridge.poll_once() == 1201
    assert [(await subscription.get(timeout=5)).value for _ in range(1201)] == list(range(1201))


async def test_a_malformed_row_is_skipped_and_the_next_one_delivered(bridge, caplog):
    await bridge.start_at_tail()
    subscription = bridge.bus.subscribe()
    await in_thread(LiveChange.objects.create, created_at=timezone.now(), origin="worker", changes=[{"no": 1}])
    await in_thread(make_device, "thermo", S.TEMPERATURE, value=20.0)
    theirs = await in_thread(process_as, "worker", "thermo", 21.0, 1)
    with caplog.at_level(logging.WARNING, logger="hi.apps.sense.live.bridge"):
        assert await bridge.poll_once() == 1
    assert await subscription.get(timeout=5) == theirs[0]
    assert "malformed live change" in caplog.text


async def test_it_starts_on_attach_survives_database_errors_and_stops_when_nobody_listens(caplog):
    failures = {"left": 2}

    def flaky_reader(cursor, missing, limit):
        if failures["left"]:
            failures["left"] -= 1
            raise OperationalError("database is away")
        return live_feed.read_after(cursor, missing, limit)

    bridge = LiveBridge(LiveBus(), origin="web", poll_interval=0.05, max_backoff=0.1, idle_timeout=0.2,
                        reader=flaky_reader)
    await in_thread(make_device, "thermo", S.TEMPERATURE, value=20.0)
    subscription = bridge.bus.subscribe()
    with caplog.at_level(logging.ERROR, logger="hi.apps.sense.live.bridge"):
        await bridge.attach()
        task = bridge.task
        assert task is not None and not task.done()
        await bridge.attach()
        assert bridge.task is task  # one relay per process, however many listeners
        theirs = await in_thread(process_as, "worker", "thermo", 21.0, 1)
        assert await subscription.get(timeout=10) == theirs[0]
    assert "could not read the change feed" in caplog.text and bridge.failures == 0
    subscription.close()
    await asyncio.wait_for(task, 10)  # idle: the relay ends and releases its connection
    assert bridge.task is None


async def test_on_postgresql_a_notify_wakes_the_relay_long_before_its_next_poll():
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    bridge = LiveBridge(LiveBus(), origin="web", poll_interval=60.0)
    await in_thread(make_device, "thermo", S.TEMPERATURE, value=20.0)
    subscription = bridge.bus.subscribe()
    await bridge.attach()
    task = bridge.task
    try:
        theirs = await in_thread(process_as, "worker", "thermo", 21.0, 1)
        assert await subscription.get(timeout=10) == theirs[0]
    finally:
        assert task is not None
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
