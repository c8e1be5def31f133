"""Rules are evaluated inside each pipeline batch's transaction: the readings and their alerts share one
commit, and an alarm failure (in its own work, or at the batch's commit) never costs the readings."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from hi.apps.alarm import firing
from hi.apps.alarm.engine import AlarmEngine, get_engine
from hi.apps.alarm.models import Alarm, Alert, Rule, RuleRuntime
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.models import EntityState
from hi.apps.entity.tests.factories import Device, make_device
from hi.apps.sense.live.bus import LiveBus
from hi.apps.sense.models import SensorHistory
from hi.apps.sense.pipeline import SensorResponsePipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

from .helpers import rule

pytestmark = pytest.mark.django_db(transaction=True)  # the batch must own its transaction, as in the hub


def report(device: Device, value: object, moment: dt.datetime) -> SensorResponse:
    return SensorResponse(IntegrationKey("test", device.sensor.integration_name), value, moment)


def _value(device: Device) -> object:
    return EntityState.objects.get(pk=device.state.pk).value


def _committed_history(device: Device) -> int:
    """Rows another connection sees: only what has committed."""
    counted: list[int] = []

    def count() -> None:
        try:
            counted.append(SensorHistory.objects.filter(sensor=device.sensor).count())
        finally:
            connections.close_all()

    thread = threading.Thread(target=count)
    thread.start()
    thread.join(30)
    return counted[0]


def test_the_alert_is_written_in_the_batch_transaction_beside_its_reading(monkeypatch):
    switch = make_device("Pump", S.ON_OFF, value="off")
    rule("Pump on", [{"state": switch.state.pk, "op": "eq", "value": "on"}])
    written = AlarmEngine._write_runtime
    seen: list[tuple[int, int]] = []

    def noting(self: AlarmEngine) -> None:
        # the batch's reading is visible here, and not yet to anyone else: one transaction, one commit
        seen.append((SensorHistory.objects.filter(sensor=switch.sensor).count(), _committed_history(switch)))
        written(self)

    monkeypatch.setattr(AlarmEngine, "_write_runtime", noting)
    SensorResponsePipeline(LiveBus()).process([report(switch, "on", timezone.now())])
    assert seen == [(1, 0)]
    assert _value(switch) == "on" and Alert.objects.get().rule_name == "Pump on"
    assert _committed_history(switch) == 1


def _break(monkeypatch, step: str, failures: int | None) -> list[bool]:
    """Make one step of recording an evaluation raise (``failures`` times; None: always)."""
    owner = AlarmEngine if step == "_write_runtime" else firing
    original = getattr(owner, step)
    calls: list[bool] = []

    def failing(*args):
        calls.append(connection.in_atomic_block)
        if failures is None or len(calls) <= failures:
            raise RuntimeError("alarm bug")
        return original(*args)

    monkeypatch.setattr(owner, step, failing)
    return calls


@pytest.mark.parametrize("step", ["_write_runtime", "fire_many"])
def test_an_alarm_failure_inside_the_batch_keeps_the_readings_and_the_alarm_runs_again_after_commit(
        monkeypatch, caplog, step):
    switch = make_device("Pump", S.ON_OFF, value="off")
    rule("Pump on", [{"state": switch.state.pk, "op": "eq", "value": "on"}])
    calls = _break(monkeypatch, step, 1)
    pipeline = SensorResponsePipeline(LiveBus())
    with caplog.at_level(logging.ERROR):
        changes = pipeline.process([report(switch, "on", timezone.now())])
    assert [c.value for c in changes] == ["on"]
    assert _value(switch) == "on"
    assert len(calls) == 2  # inside the batch, then again after its commit
    assert Alert.objects.get().rule_name == "Pump on" and Alarm.objects.count() == 1
    assert RuleRuntime.objects.get().armed is False
    assert "runs again after the commit" in caplog.text and "alarm bug" in caplog.text


@pytest.mark.parametrize("step", ["_write_runtime", "fire_many"])
def test_an_alarm_that_always_fails_costs_its_alert_but_never_the_readings(monkeypatch, step):
    switch = make_device("Pump", S.ON_OFF, value="off")
    rule("Pump on", [{"state": switch.state.pk, "op": "eq", "value": "on"}])
    pipeline = SensorResponsePipeline(LiveBus())
    with monkeypatch.context() as patch:
        _break(patch, step, None)
        pipeline.process([report(switch, "on", timezone.now())])
    # nothing of the evaluation stays: the rule does not count as fired without its alert
    assert _value(switch) == "on" and Alert.objects.count() == 0 and RuleRuntime.objects.count() == 0
    # the engine forgot what did not commit: off, then on again fires as it should
    pipeline.process([report(switch, "off", timezone.now())])
    pipeline.process([report(switch, "on", timezone.now())])
    assert Alert.objects.get().rule_name == "Pump on"


def test_alarm_rows_that_break_the_batch_commit_cost_the_alarm_not_the_readings():
    """A rule deleted behind this process's back (another process; noticed within 2 s): its runtime and alert
    rows break the batch's commit (a deferred foreign key). The batch is retried with the alarm after its
    commit, so the reading is stored exactly once."""
    switch = make_device("Pump", S.ON_OFF, value="off")
    doomed = rule("Pump on", [{"state": switch.state.pk, "op": "eq", "value": "on"}])
    assert get_engine().rule_count() == 1
    with connection.cursor() as cursor:  # no signal: as another process's delete looks to this one
        cursor.execute(f"DELETE FROM {Rule._meta.db_table} WHERE id = %s", [doomed.pk])
    pipeline = SensorResponsePipeline(LiveBus())
    changes = pipeline.process([report(switch, "on", timezone.now())])
    assert [c.value for c in changes] == ["on"] and _value(switch) == "on"
    assert SensorHistory.objects.filter(sensor=switch.sensor).count() == 1
    assert Alert.objects.count() == 0 and RuleRuntime.objects.count() == 0
    assert get_engine().rule_count() == 0


def test_a_tick_and_a_batch_take_the_write_lock_and_the_engine_in_the_same_order(monkeypatch):
    """The tick holds the engine while it evaluates a held-for rule; a batch arrives meanwhile. On SQLite the
    tick must already hold the write lock, or the batch (holding it) and the tick (holding the engine)
    would wait for each other until SQLite's busy timeout."""
    heater = make_device("Heater", S.TEMPERATURE, value=20.0)
    switch = make_device("Pump", S.ON_OFF, value="off")
    rule("Heater hot", [{"state": heater.state.pk, "op": "above", "value": 30, "held_for": 60}])
    rule("Pump on", [{"state": switch.state.pk, "op": "eq", "value": "on"}])
    pipeline = SensorResponsePipeline(LiveBus())
    start = timezone.now()
    pipeline.process([report(heater, 35.0, start)])
    assert Alert.objects.count() == 0  # held for 60 s: due later

    engine = get_engine()
    tick_inside, batch_at_engine = threading.Event(), threading.Event()
    read_states = AlarmEngine._read_states

    def slow_read(state_ids):
        if threading.current_thread() is not main and not tick_inside.is_set():
            tick_inside.set()
            batch_at_engine.wait(0.5)  # only set when the batch got past the write lock (the broken order)
        return read_states(state_ids)

    on_changes = engine.on_changes

    def noting(items):
        batch_at_engine.set()
        on_changes(items)

    main = threading.current_thread()
    monkeypatch.setattr(AlarmEngine, "_read_states", staticmethod(slow_read))
    monkeypatch.setattr(engine, "on_changes", noting)
    errors: list[BaseException] = []
    fired: list[str] = []

    def tick() -> None:
        try:
            fired.extend(f.rule.name for f in engine.check_due(start + dt.timedelta(seconds=61)))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=tick)
    thread.start()
    assert tick_inside.wait(10)
    pipeline.process([report(switch, "on", timezone.now())])
    thread.join(30)
    assert not thread.is_alive() and errors == []
    assert fired == ["Heater hot"]
    assert sorted(Alert.objects.values_list("rule_name", flat=True)) == ["Heater hot", "Pump on"]
