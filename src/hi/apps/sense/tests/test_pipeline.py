"""The SensorResponse pipeline: dedupe, history, current values, events, control confirmation, live bus."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

import pytest
from django.db import connection
from django.utils import timezone

from hi.apps.control.models import ControllerHistory, ControlOutcome
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.event.models import Event
from hi.apps.sense.live.bus import AsyncSubscription, LiveBus
from hi.apps.sense.models import SensorHistory
from hi.apps.sense.pipeline import SensorResponsePipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import Correlation, SensorResponse

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def response(name: str, value, seconds: float = 0, correlation: Correlation | None = None,
             **details) -> SensorResponse:
    return SensorResponse(IntegrationKey("test", name), value, at(seconds), details, correlation)


@pytest.fixture
def bus() -> LiveBus:
    return LiveBus()


@pytest.fixture
def pipeline(bus: LiveBus) -> SensorResponsePipeline:
    return SensorResponsePipeline(bus)


pytestmark = pytest.mark.django_db


def test_new_value_updates_state_sensor_and_history(pipeline):
    device = make_device("thermo", S.TEMPERATURE, value=20.0)
    changes = pipeline.process([response("thermo", 21.5, 1, source="station")])
    device.state.refresh_from_db()
    device.sensor.refresh_from_db()
    assert device.state.value == 21.5 and device.state.value_updated_at == at(1)
    assert device.sensor.last_value == 21.5 and device.sensor.last_response_at == at(1)
    assert list(SensorHistory.objects.values_list("value", flat=True)) == [21.5]
    assert len(changes) == 1
    change = changes[0]
    assert (change.entity_id, change.state_id, change.value, change.previous_value) == (
        device.entity.id, device.state.id, 21.5, 20.0)
    assert "test:thermo" in change.integration_keys


def test_repeated_value_is_dropped(pipeline):
    make_device("thermo", S.TEMPERATURE, value=20.0)
    changes = pipeline.process([response("thermo", 20.0, 1), response("thermo", 22, 2), response("thermo", 22, 3)])
    assert [c.value for c in changes] == [22]
    assert SensorHistory.objects.count() == 1
    assert pipeline.stats.duplicates == 2


def test_unknown_keys_are_counted_and_logged_once(pipeline, caplog):
    make_device("known", S.TEMPERATURE)
    with caplog.at_level(logging.WARNING):
        pipeline.process([response("ghost", 1, 1), response("ghost", 2, 2), response("known", 3, 3)])
        pipeline.process([response("ghost", 4, 4)])
    assert pipeline.stats.unknown_keys == 3
    assert sum("test:ghost" in r.getMessage() for r in caplog.records) == 1
    assert SensorHistory.objects.count() == 1


def test_malformed_values_are_skipped_not_fatal(pipeline):
    device = make_device("thermo", S.TEMPERATURE, value=20.0)
    changes = pipeline.process([response("thermo", float("nan"), 1), response("thermo", 23, 2)])
    device.state.refresh_from_db()
    assert device.state.value == 23 and [c.value for c in changes] == [23]
    assert pipeline.stats.malformed == 1


def test_older_response_goes_to_history_but_keeps_the_newer_value(pipeline):
    device = make_device("thermo", S.TEMPERATURE, value=20.0)
    pipeline.process([response("thermo", 25, 10)])
    changes = pipeline.process([response("thermo", 24, 5)])
    device.state.refresh_from_db()
    assert device.state.value == 25 and device.state.value_updated_at == at(10)
    assert changes == []
    assert sorted(SensorHistory.objects.values_list("value", flat=True)) == [24, 25]


def test_values_of_two_valued_states_are_case_insensitive(pipeline):
    device = make_device("lamp", S.ON_OFF, value="on")
    assert pipeline.process([response("lamp", "ON", 1)]) == []
    device.state.refresh_from_db()
    assert device.state.value == "on"


def test_plain_transition_opens_and_closes_an_event_with_duration(pipeline):
    device = make_device("hall motion", S.MOVEMENT, value="idle")
    pipeline.process([response("hall motion", "active", 1)])
    event = Event.objects.get()
    assert event.is_open and event.value == "active" and event.start == at(1)
    assert event.entity_id == device.entity.id and event.sensor_id == device.sensor.id
    pipeline.process([response("hall motion", "idle", 31)])
    event.refresh_from_db()
    assert event.end == at(31) and event.duration_seconds == 30.0


def test_several_transitions_in_one_batch_make_several_events(pipeline):
    make_device("door", S.OPEN_CLOSE, value="closed")
    pipeline.process([response("door", "open", 1), response("door", "closed", 3),
                      response("door", "open", 10), response("door", "closed", 15)])
    assert sorted(Event.objects.values_list("duration_seconds", flat=True)) == [2.0, 5.0]


def test_numeric_states_make_no_events(pipeline):
    make_device("thermo", S.TEMPERATURE, value=1)
    pipeline.process([response("thermo", 2, 1), response("thermo", 3, 2)])
    assert Event.objects.count() == 0


def test_correlated_start_and_end_make_one_event(pipeline):
    make_device("cam", S.MOVEMENT, value="idle")
    pipeline.process([response("cam", "active", 1, Correlation("start", "ev-1"), cause="motion")])
    pipeline.process([response("cam", "active", 2, Correlation("start", "ev-1"))])  # a repeat
    pipeline.process([response("cam", "idle", 9, Correlation("end", "ev-1"), score=40)])
    event = Event.objects.get()
    assert (event.correlation_id, event.start, event.end, event.duration_seconds) == ("ev-1", at(1), at(9), 8.0)
    assert event.details == {"cause": "motion", "score": 40}
    assert SensorHistory.objects.count() == 2


def test_overlapping_correlated_events_are_not_deduplicated(pipeline):
    make_device("cam", S.MOVEMENT, value="idle")
    pipeline.process([response("cam", "active", 1, Correlation("start", "a")),
                      response("cam", "active", 2, Correlation("start", "b")),
                      response("cam", "idle", 3, Correlation("end", "a")),
                      response("cam", "idle", 4, Correlation("end", "b")),
                      response("cam", "idle", 5, Correlation("end", "b"))])
    assert dict(Event.objects.values_list("correlation_id", "duration_seconds")) == {"a": 2.0, "b": 2.0}
    assert SensorHistory.objects.count() == 4


def test_end_without_start_is_a_closed_event(pipeline):
    make_device("cam", S.MOVEMENT, value="idle")
    pipeline.process([response("cam", "idle", 10, Correlation("end", "short")),
                      response("cam", "idle", 20, Correlation("end", "timed"), start=at(12).isoformat())])
    short = Event.objects.get(correlation_id="short")
    assert short.start == short.end == at(10) and short.details["start_unknown"] is True
    assert short.value == "active"
    timed = Event.objects.get(correlation_id="timed")
    assert timed.start == at(12) and timed.duration_seconds == 8.0


def test_end_before_start_gets_its_start_later(pipeline):
    device = make_device("cam", S.MOVEMENT, value="idle")
    pipeline.process([response("cam", "idle", 10, Correlation("end", "late"))])
    pipeline.process([response("cam", "active", 4, Correlation("start", "late"))])
    event = Event.objects.get()
    assert (event.start, event.end, event.duration_seconds) == (at(4), at(10), 6.0)
    assert "start_unknown" not in event.details
    device.state.refresh_from_db()
    assert device.state.value == "idle"


def test_pending_control_is_confirmed_by_a_matching_response(pipeline):
    device = make_device("lamp", S.ON_OFF, value="off", controllable=True)
    record = ControllerHistory.objects.create(controller=device.controller, requested_value="on",
                                              expected_value="on", requested_by="test",
                                              requested_at=timezone.now(), outcome=ControlOutcome.SENT)
    pipeline.process([response("lamp", "off", 1)])
    record.refresh_from_db()
    assert record.outcome == ControlOutcome.SENT
    pipeline.process([response("lamp", "on", 2)])
    record.refresh_from_db()
    assert record.outcome == ControlOutcome.CONFIRMED and record.confirmed_at is not None
    assert pipeline.stats.controls_confirmed == 1


def test_changes_are_published_after_commit(pipeline, bus, django_capture_on_commit_callbacks):
    """A subscriber's loop runs only between the steps, so the database work never happens inside it."""
    make_device("thermo", S.TEMPERATURE, value=1)
    loop = asyncio.new_event_loop()

    async def subscribe() -> AsyncSubscription:
        return bus.subscribe()

    def delivered() -> list:
        loop.run_until_complete(asyncio.sleep(0))  # run the deliveries the publisher scheduled
        return [loop.run_until_complete(subscription.get(timeout=1)) for _ in range(subscription.pending())]

    subscription = loop.run_until_complete(subscribe())
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            pipeline.process([response("thermo", 2, 1)])
        assert delivered() == []
        for callback in callbacks:
            callback()
        published = delivered()
    finally:
        subscription.close()
        loop.close()
    assert [c.value for c in published] == [2]
    assert published[0].to_dict()["timestamp"] == at(1).isoformat()


def test_a_batch_costs_a_fixed_number_of_queries(pipeline, django_assert_max_num_queries):
    for index in range(40):
        make_device(f"motion{index}", S.MOVEMENT, value="idle")
    batch = [response(f"motion{index}", "active", index) for index in range(40)]
    batch += [response(f"motion{index}", "idle", 100 + index) for index in range(40)]
    locking = 1 if connection.features.has_select_for_update else 0  # PostgreSQL locks rows first
    with django_assert_max_num_queries(10 + locking):
        changes = pipeline.process(batch)
    assert len(changes) == 80 and Event.objects.filter(end__isnull=False).count() == 40


def test_one_change_reported_twice_after_a_newer_one_is_one_history_row(pipeline):
    """A control's answer and the live monitor both report one change; another change came between."""
    make_device("lamp", S.ON_OFF, value="off")
    pipeline.process([response("lamp", "on", 1)])        # the control's answer
    pipeline.process([response("lamp", "off", 2)])       # a second client's control, answered first
    pipeline.process([response("lamp", "on", 1), response("lamp", "off", 2)])  # the monitor, late
    assert sorted(SensorHistory.objects.values_list("response_at", "value")) == [(at(1), "on"), (at(2), "off")]
    assert pipeline.stats.duplicates == 2


def test_an_older_reading_with_another_value_at_the_same_time_is_kept(pipeline):
    make_device("thermo", S.TEMPERATURE, value=20.0)
    pipeline.process([response("thermo", 21.0, 1), response("thermo", 22.0, 2)])
    pipeline.process([response("thermo", 21.5, 1)])  # a different reading: history keeps it
    assert SensorHistory.objects.count() == 3
