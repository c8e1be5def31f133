"""``aprocess``: batches run off the event loop on one thread, in order, and reach the live bus after commit."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

import pytest

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.models import EntityState
from hi.apps.entity.tests.factories import make_device
from hi.apps.sense.live.bus import LiveBus
from hi.apps.sense.pipeline import SensorResponsePipeline
from hi.apps.sense.testing import in_thread
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def pipeline():
    pipeline = SensorResponsePipeline(LiveBus())
    yield pipeline
    pipeline.shutdown()


@pytest.mark.django_db(transaction=True)
async def test_batches_are_processed_in_order_and_published(pipeline):
    device = await in_thread(make_device, "thermo", S.TEMPERATURE, value=0)
    subscription = pipeline.bus.subscribe()
    batches = [[SensorResponse(IntegrationKey("test", "thermo"), value, T0 + dt.timedelta(seconds=value))]
               for value in range(1, 21)]
    results = await asyncio.gather(*(pipeline.aprocess(batch) for batch in batches))
    assert [r[0].value for r in results] == list(range(1, 21))
    seen = [(await subscription.get(timeout=5)).value for _ in range(20)]
    assert seen == list(range(1, 21))
    value = await in_thread(lambda: EntityState.objects.get(pk=device.state.pk).value)
    assert value == 20
    subscription.close()


@pytest.mark.django_db(transaction=True)
async def test_processing_happens_off_the_event_loop_thread(pipeline, monkeypatch):
    await in_thread(make_device, "thermo", S.TEMPERATURE, value=0)
    threads: list[str] = []
    original = pipeline.process

    def spy(batch):
        threads.append(threading.current_thread().name)
        return original(batch)

    monkeypatch.setattr(pipeline, "process", spy)
    await pipeline.aprocess([SensorResponse(IntegrationKey("test", "thermo"), 1, T0)])
    await pipeline.aprocess([SensorResponse(IntegrationKey("test", "thermo"), 2, T0)])
    assert len(set(threads)) == 1 and threads[0].startswith("hi-pipeline")
