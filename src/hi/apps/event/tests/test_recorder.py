"""How sensor responses become Events: which transitions open and close them, and what they keep."""

from __future__ import annotations

import datetime as dt

import pytest

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.event.models import Event
from hi.apps.sense.live.bus import LiveBus
from hi.apps.sense.pipeline import SensorResponsePipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import Correlation, SensorResponse

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def feed(*items: tuple) -> None:
    pipeline = SensorResponsePipeline(LiveBus())
    pipeline.process([SensorResponse(IntegrationKey("test", name), value, T0 + dt.timedelta(seconds=second),
                                     details, correlation)
                      for name, value, second, correlation, details in items])


def test_becoming_unavailable_ends_the_condition():
    make_device("door", S.OPEN_CLOSE, value="closed")
    feed(("door", "open", 0, None, {}))
    feed(("door", "unavailable", 7, None, {}))
    event = Event.objects.get()
    assert event.end is not None and event.duration_seconds == 7.0


def test_inverted_types_use_their_active_value():
    make_device("link", S.CONNECTIVITY, value="connected")
    make_device("battery", S.HIGH_LOW, value="high")
    feed(("link", "disconnected", 0, None, {}), ("battery", "low", 0, None, {}),
         ("link", "connected", 4, None, {}))
    assert sorted(Event.objects.values_list("value", flat=True)) == ["disconnected", "low"]
    assert Event.objects.get(value="disconnected").duration_seconds == 4.0
    assert Event.objects.get(value="low").is_open


def test_plain_idle_does_not_close_a_correlated_event():
    make_device("cam", S.MOVEMENT, value="idle")
    feed(("cam", "active", 0, Correlation("start", "zm-1"), {}))
    feed(("cam", "idle", 3, None, {}))
    assert Event.objects.get(correlation_id="zm-1").is_open


def test_end_only_event_takes_its_start_from_the_integrations_details():
    make_device("cam", S.MOVEMENT, value="idle")
    start = (T0 - dt.timedelta(seconds=12)).isoformat()
    feed(("cam", "idle", 0, Correlation("end", "zm-9"), {"StartTime": start, "Cause": "Motion"}))
    event = Event.objects.get()
    assert event.duration_seconds == 12.0 and event.details["Cause"] == "Motion"
    assert "start_unknown" not in event.details


def test_events_belong_to_the_entity_state_and_sensor():
    device = make_device("hall", S.PRESENCE, value="idle")
    feed(("hall", "active", 0, None, {}))
    event = Event.objects.get()
    assert (event.entity, event.entity_state, event.sensor) == (device.entity, device.state, device.sensor)
