"""Rule evaluation: every condition kind, held-for across a restart, windows, re-arm, modes and snooze."""

from __future__ import annotations

import datetime as dt

import pytest

from hi.apps.alarm import modes
from hi.apps.alarm.alerts import acknowledge
from hi.apps.alarm.engine import get_engine, reset_engine
from hi.apps.alarm.enums import AlertStatus
from hi.apps.alarm.models import Alarm, Alert, RuleRuntime
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.enums import EntityType
from hi.apps.entity.tests.factories import make_device

from .helpers import at, change, rule

pytestmark = pytest.mark.django_db


def fired(changes, seconds: float = 0) -> list[str]:
    return [f.rule.name for f in get_engine().evaluate_changes(changes, now=at(seconds))]


def test_equals_fires_once_and_records_an_alert():
    door = make_device("Back door", S.OPEN_CLOSE, value="closed", entity_type=EntityType.DOOR)
    rule("Door opened", [{"state": door.state.pk, "op": "eq", "value": "open"}])
    assert fired([change(door, "open", 1)], 1) == ["Door opened"]
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.OPEN and alert.level == "warning"
    assert list(alert.entities.values_list("name", flat=True)) == ["Back door"]


def test_not_equals_above_below():
    door = make_device("Door", S.OPEN_CLOSE, value="open")
    temp = make_device("Freezer", S.TEMPERATURE, value=-18.0)
    battery = make_device("Lock battery", S.BATTERY_LEVEL, value=80)
    rule("Door not open", [{"state": door.state.pk, "op": "ne", "value": "open"}])
    rule("Freezer warm", [{"state": temp.state.pk, "op": "above", "value": -5}])
    rule("Battery low", [{"state": battery.state.pk, "op": "below", "value": 20}])
    assert fired([change(door, "closed", 1)], 1) == ["Door not open"]
    assert fired([change(temp, -10.0, 2)], 2) == []
    assert fired([change(temp, -4.5, 3)], 3) == ["Freezer warm"]
    assert fired([change(battery, 20, 4)], 4) == []
    assert fired([change(battery, 19, 5)], 5) == ["Battery low"]


def test_unknown_values_never_satisfy_a_condition():
    temp = make_device("Attic", S.TEMPERATURE, value=20.0)
    rule("Attic hot", [{"state": temp.state.pk, "op": "above", "value": 40}])
    rule("Attic not 20", [{"state": temp.state.pk, "op": "ne", "value": 20}])
    assert fired([change(temp, None, 1)], 1) == []


def test_all_and_any():
    motion = make_device("Yard motion", S.MOVEMENT, value="idle")
    door = make_device("Back door", S.OPEN_CLOSE, value="closed")
    conditions = [{"state": motion.state.pk, "op": "eq", "value": "active"},
                  {"state": door.state.pk, "op": "eq", "value": "open"}]
    rule("Both", conditions, match="all")
    rule("Either", conditions, match="any")
    assert fired([change(motion, "active", 1)], 1) == ["Either"]
    assert fired([change(door, "open", 2)], 2) == ["Both"]


def test_window_motion_then_door_within_60_seconds():
    motion = make_device("Yard motion", S.MOVEMENT, value="idle")
    door = make_device("Back door", S.OPEN_CLOSE, value="closed")
    rule("Intruder path", [{"state": motion.state.pk, "op": "eq", "value": "active"},
                           {"state": door.state.pk, "op": "eq", "value": "open"}], window_seconds=60)
    assert fired([change(motion, "active", 0)], 0) == []
    assert fired([change(motion, "idle", 10)], 10) == []
    assert fired([change(door, "open", 50)], 50) == ["Intruder path"]  # motion 50 s earlier counts
    assert fired([change(door, "closed", 60)], 60) == []
    assert fired([change(door, "open", 200)], 200) == []  # motion was 200 s ago: outside the window


def test_held_for_fires_at_the_deadline_not_before():
    door = make_device("Garage door", S.OPEN_CLOSE, value="closed")
    rule("Garage open 10 min", [{"state": door.state.pk, "op": "eq", "value": "open", "held_for": 600}])
    assert fired([change(door, "open", 0)], 0) == []
    runtime = RuleRuntime.objects.get()
    assert runtime.due_at == at(600)
    assert get_engine().check_due(at(599)) == []
    assert [f.rule.name for f in get_engine().check_due(at(600))] == ["Garage open 10 min"]
    assert RuleRuntime.objects.get().due_at is None


def test_held_for_survives_a_restart():
    door = make_device("Garage door", S.OPEN_CLOSE, value="closed")
    rule("Garage open 10 min", [{"state": door.state.pk, "op": "eq", "value": "open", "held_for": 600}])
    fired([change(door, "open", 0)], 0)
    reset_engine()  # the hub restarts: nothing in memory
    assert get_engine().check_due(at(300)) == []
    assert [f.rule.name for f in get_engine().check_due(at(601))] == ["Garage open 10 min"]
    assert Alert.objects.count() == 1


def test_held_for_cancelled_when_the_condition_clears():
    door = make_device("Garage door", S.OPEN_CLOSE, value="closed")
    rule("Garage open 10 min", [{"state": door.state.pk, "op": "eq", "value": "open", "held_for": 600}])
    fired([change(door, "open", 0)], 0)
    fired([change(door, "closed", 100)], 100)
    assert get_engine().check_due(at(700)) == []
    assert Alert.objects.count() == 0


def test_rearm_needs_the_condition_to_clear_and_a_quiet_period():
    motion = make_device("Hall motion", S.MOVEMENT, value="idle")
    rule("Hall motion", [{"state": motion.state.pk, "op": "eq", "value": "active"}], quiet_seconds=30)
    temp = make_device("Hall temp", S.TEMPERATURE, value=20)
    rule("Hall hot", [{"state": temp.state.pk, "op": "above", "value": 30}])
    assert fired([change(motion, "active", 0)], 0) == ["Hall motion"]
    assert fired([change(temp, 31, 1)], 1) == ["Hall hot"]
    assert fired([change(temp, 35, 2)], 2) == []  # still the same incident: no second firing
    assert fired([change(motion, "idle", 5), change(motion, "active", 10)], 10) == []  # flapping in quiet
    assert fired([change(motion, "idle", 20)], 20) == []
    assert fired([change(motion, "active", 60)], 60) == ["Hall motion"]  # cleared 40 s > 30 s
    assert Alarm.objects.filter(alert__rule_name="Hall motion").count() == 2
    assert Alert.objects.filter(rule_name="Hall motion").count() == 1  # still open: one incident


def test_a_new_incident_after_acknowledge_opens_a_new_alert():
    motion = make_device("Hall motion", S.MOVEMENT, value="idle")
    rule("Hall motion", [{"state": motion.state.pk, "op": "eq", "value": "active"}])
    fired([change(motion, "active", 0)], 0)
    alert = Alert.objects.get()
    result = acknowledge(alert.pk, "alice", "the cat", now=at(5))
    assert result["status"] == "acknowledged" and result["acknowledged_by"] == "alice"
    fired([change(motion, "idle", 6)], 6)
    fired([change(motion, "active", 7)], 7)
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 1
    assert Alert.objects.count() == 2


def test_time_of_day_and_days(settings):
    settings.TIME_ZONE = "UTC"
    motion = make_device("Porch motion", S.MOVEMENT, value="idle")
    rule("Night porch", [{"state": motion.state.pk, "op": "eq", "value": "active"}], time_from="22:00",
         time_to="06:00")
    rule("Weekend porch", [{"state": motion.state.pk, "op": "eq", "value": "active"}], days=[5, 6])
    rule("Wednesday porch", [{"state": motion.state.pk, "op": "eq", "value": "active"}], days=[2])
    assert fired([change(motion, "active", 0)], 0) == ["Wednesday porch"]  # Wednesday noon
    fired([change(motion, "idle", 1)], 1)
    eleven_pm = 11 * 3600
    assert sorted(fired([change(motion, "active", eleven_pm)], eleven_pm)) == ["Night porch", "Wednesday porch"]


def test_modes_gate_rules_and_life_safety_fires_even_when_disabled():
    door = make_device("Front door", S.OPEN_CLOSE, value="closed")
    smoke = make_device("Kitchen smoke", S.SMOKE, value="clear")
    rule("Door while away", [{"state": door.state.pk, "op": "eq", "value": "open"}], modes=["away"])
    rule("Smoke", [{"state": smoke.state.pk, "op": "eq", "value": "detected"}], modes=[], life_safety=True,
         level="critical")
    modes.set_mode("disabled", "test", now=at(0))
    assert fired([change(door, "open", 1), change(smoke, "detected", 1)], 1) == ["Smoke"]
    fired([change(door, "closed", 2)], 2)
    modes.set_mode("away", "test", now=at(3))
    assert fired([change(door, "open", 4)], 4) == ["Door while away"]


def test_snooze_silences_others_but_never_life_safety():
    door = make_device("Front door", S.OPEN_CLOSE, value="closed")
    co = make_device("Boiler CO", S.CO, value="clear")
    rule("Door", [{"state": door.state.pk, "op": "eq", "value": "open"}])
    rule("CO", [{"state": co.state.pk, "op": "eq", "value": "detected"}], life_safety=True, modes=[])
    modes.snooze(10, "test", now=at(0))
    assert fired([change(door, "open", 60), change(co, "detected", 60)], 60) == ["CO"]
    fired([change(door, "closed", 61)], 61)
    assert fired([change(door, "open", 11 * 60)], 11 * 60) == ["Door"]  # snooze over


def test_disabled_rule_and_deleted_rule_are_not_evaluated():
    door = make_device("Door", S.OPEN_CLOSE, value="closed")
    r = rule("Door", [{"state": door.state.pk, "op": "eq", "value": "open"}])
    r.enabled = False
    r.save()
    assert fired([change(door, "open", 1)], 1) == []
    r.enabled = True
    r.save()
    fired([change(door, "closed", 2)], 2)
    r.delete()
    assert fired([change(door, "open", 3)], 3) == []


def test_would_fire_reports_without_recording():
    door = make_device("Door", S.OPEN_CLOSE, value="open")
    r = rule("Door", [{"state": door.state.pk, "op": "eq", "value": "open"}])
    report = get_engine().would_fire(r, now=dt.datetime.now(dt.UTC))
    assert report["would_fire"] is True and report["conditions"][0]["holds"] is True
    assert Alert.objects.count() == 0


def test_alerts_expire_by_rule_when_nobody_acknowledges():
    from hi.apps.alarm.alerts import expire_due

    motion = make_device("Porch motion", S.MOVEMENT, value="idle")
    rule("Porch", [{"state": motion.state.pk, "op": "eq", "value": "active"}], expire_minutes=30)
    fired([change(motion, "active", 0)], 0)
    assert expire_due(at(29 * 60)) == 0
    assert expire_due(at(30 * 60)) == 1
    alert = Alert.objects.get()
    assert alert.status == AlertStatus.CLEARED and alert.closed_at == at(30 * 60)
