"""The change feed: one row per committed batch, written in the batch's transaction, pruned by age and count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.sense.live import feed as live_feed
from hi.apps.sense.live.bus import LiveBus
from hi.apps.sense.models import LiveChange
from hi.apps.sense.pipeline import SensorResponsePipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)

pytestmark = pytest.mark.django_db


def response(name: str, value, seconds: float) -> SensorResponse:
    return SensorResponse(IntegrationKey("test", name), value, T0 + dt.timedelta(seconds=seconds))


def test_a_batch_with_changes_is_one_row_holding_every_change_tagged_with_this_process():
    thermo = make_device("thermo", S.TEMPERATURE, value=20.0)
    make_device("door", S.OPEN_CLOSE, value="closed")
    changes = SensorResponsePipeline(LiveBus()).process(
        [response("thermo", 21.5, 1), response("door", "open", 2), response("thermo", 21.5, 3)])
    row = LiveChange.objects.get()
    assert row.origin == live_feed.process_origin()
    assert live_feed.decode(row.changes) == tuple(changes)
    assert row.changes[0]["state_id"] == thermo.state.id and row.changes[0]["previous_value"] == 20.0


def test_a_batch_of_repeats_writes_no_row():
    make_device("thermo", S.TEMPERATURE, value=20.0)
    assert SensorResponsePipeline(LiveBus()).process([response("thermo", 20.0, 1)]) == []
    assert not LiveChange.objects.exists()


def test_a_batch_rolled_back_leaves_no_row():
    make_device("thermo", S.TEMPERATURE, value=20.0)
    pipeline = SensorResponsePipeline(LiveBus(), origin="elsewhere")
    with pytest.raises(RuntimeError), transaction.atomic():
        pipeline.process([response("thermo", 25.0, 1)])
        raise RuntimeError("the caller's transaction fails")
    assert not LiveChange.objects.exists()


def test_prune_drops_rows_older_than_the_age_limit_and_beyond_the_row_limit():
    now = timezone.now()
    ages = [600, 400, 30, 20, 10, 0]  # seconds
    for age in ages:
        LiveChange.objects.create(created_at=now - dt.timedelta(seconds=age), origin="x", changes=[])
    ids = list(LiveChange.objects.values_list("id", flat=True))
    assert live_feed.prune(now, max_age=dt.timedelta(minutes=5), keep_rows=3) == 3
    assert list(LiveChange.objects.values_list("id", flat=True)) == ids[-3:]
    assert live_feed.prune(now, max_age=dt.timedelta(minutes=5), keep_rows=3) == 0


def test_the_writer_prunes_at_most_once_per_interval():
    now = timezone.now()
    LiveChange.objects.create(created_at=now - dt.timedelta(hours=1), origin="x", changes=[])
    make_device("thermo", S.TEMPERATURE, value=20.0)
    pipeline = SensorResponsePipeline(LiveBus())
    pipeline.feed.prune_interval = 0.0
    pipeline.process([response("thermo", 21.0, 1)])
    assert LiveChange.objects.count() == 1  # the hour-old row went, the new batch stayed
    pipeline.feed.prune_interval = 3600.0
    LiveChange.objects.create(created_at=now - dt.timedelta(hours=1), origin="x", changes=[])
    pipeline.process([response("thermo", 22.0, 2)])
    assert LiveChange.objects.count() == 3  # within the interval nothing is deleted


def test_read_after_returns_rows_past_the_cursor_and_late_ones_asked_for():
    rows = [LiveChange.objects.create(created_at=timezone.now(), origin="x", changes=[]) for _ in range(4)]
    assert live_feed.tail_id() == rows[-1].id
    assert [r.id for r in live_feed.read_after(rows[1].id)] == [rows[2].id, rows[3].id]
    assert [r.id for r in live_feed.read_after(rows[2].id, missing=[rows[0].id])] == [rows[0].id, rows[3].id]
    assert [r.id for r in live_feed.read_after(rows[0].id, limit=1)] == [rows[1].id]
