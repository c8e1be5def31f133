"""In-transaction change listeners: inside the batch's own transaction only, each in a savepoint of its own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.models import EntityState
from hi.apps.entity.tests.factories import make_device
from hi.apps.sense import pipeline as pipeline_module
from hi.apps.sense.live.bus import LiveBus
from hi.apps.sense.pipeline import SensorResponsePipeline, add_change_listener
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def listeners(monkeypatch):
    """Only this test's listeners (the alarm's stay registered outside it)."""
    monkeypatch.setattr(pipeline_module, "_transaction_listeners", [])
    monkeypatch.setattr(pipeline_module, "_change_listeners", [])


def _response(value: str, seconds: float) -> SensorResponse:
    return SensorResponse(IntegrationKey("test", "lamp"), value, T0 + dt.timedelta(seconds=seconds))


def test_a_listener_runs_inside_the_batch_and_its_failure_rolls_back_only_its_own_work(listeners):
    device = make_device("lamp", S.ON_OFF, value="off")
    calls: list[tuple[str, bool]] = []
    rollbacks: list[str] = []

    def failing_once(changes) -> None:
        calls.append((changes[0].value, connection.in_atomic_block))
        EntityState.objects.filter(pk=device.state.pk).update(name="renamed by the listener")
        if len(calls) == 1:
            raise RuntimeError("listener bug")

    add_change_listener(failing_once, in_transaction=True, rolled_back=lambda: rollbacks.append("undone"))
    changes = SensorResponsePipeline(LiveBus()).process([_response("on", 1)])
    assert [c.value for c in changes] == ["on"]
    state = EntityState.objects.get(pk=device.state.pk)
    assert state.value == "on"  # the reading committed
    assert calls == [("on", True), ("on", False)]  # inside the batch, then again after its commit
    assert rollbacks == ["undone"] and state.name == "renamed by the listener"  # the second call's work


def test_inside_a_callers_transaction_the_listener_waits_for_that_commit(listeners):
    make_device("lamp", S.ON_OFF, value="off")
    calls: list[bool] = []
    add_change_listener(lambda changes: calls.append(connection.in_atomic_block), in_transaction=True)
    with transaction.atomic():
        SensorResponsePipeline(LiveBus()).process([_response("on", 1)])
        assert calls == []  # the caller may still roll back what the listener would count as done
    assert calls == [False]
