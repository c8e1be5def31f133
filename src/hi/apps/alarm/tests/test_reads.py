"""The firing path's plain-SQL reads return exactly what the ORM reads, and never a stale entity name."""

from __future__ import annotations

import datetime as dt

import pytest

from hi.apps.alarm import live, modes, reads
from hi.apps.alarm.alerts import acknowledge
from hi.apps.alarm.engine import get_engine
from hi.apps.alarm.enums import AlertStatus
from hi.apps.alarm.models import Alert, ModeSetting
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.enums import EntityType
from hi.apps.entity.models import Entity
from hi.apps.entity.tests.factories import make_device
from hi.apps.event.models import Event

from .helpers import at, change, rule

pytestmark = pytest.mark.django_db


def _fields(instance: object) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_open_alerts_read_as_the_orm_reads_them():
    door = make_device("Back door", S.OPEN_CLOSE, value="closed", entity_type=EntityType.DOOR)
    first = rule("Door opened", [{"state": door.state.pk, "op": "eq", "value": "open"}], expire_minutes=30)
    other = rule("Door closed", [{"state": door.state.pk, "op": "eq", "value": "closed"}])
    get_engine().evaluate_changes([change(door, "open", 1)], now=at(1))
    Alert.objects.filter(rule=first).update(event_ids=[7, 9], detail="héllo \"quoted\"")
    closed = Alert.objects.create(rule=other, rule_name="x", level="info", opened_at=at(2), last_fired_at=at(2),
                                  status=AlertStatus.CLEARED, closed_at=at(3))

    got = reads.open_alerts_for_update({first.pk, other.pk})

    expected = list(Alert.objects.filter(rule_id__in={first.pk, other.pk}, status=AlertStatus.OPEN).order_by("id"))
    assert [_fields(a) for a in got] == [_fields(a) for a in expected] and len(got) == 1
    assert closed.pk not in {a.pk for a in got}
    alert = got[0]
    assert alert.event_ids == [7, 9] and alert.expires_at == at(1) + dt.timedelta(minutes=30)
    assert alert.opened_at.tzinfo is not None and not alert._state.adding
    assert reads.open_alerts_for_update(set()) == []


def test_mode_row_reads_as_the_orm_reads_it():
    assert reads.mode_setting() is None
    assert modes.effective_and_snoozed(at(0)) == ("day", False)  # a fresh hub is in Day mode
    modes.configure("test", exit_delay_seconds=30)
    modes.set_mode("away", by="test", for_minutes=60, now=at(0))
    modes.snooze(15, by="test", now=at(0))
    assert _fields(reads.mode_setting()) == _fields(ModeSetting.objects.get(pk=1))
    assert modes.effective_and_snoozed(at(10)) == ("day", True)  # the exit delay is still running
    assert modes.effective_and_snoozed(at(31)) == ("away", True)
    assert modes.effective_and_snoozed(at(16 * 60)) == ("away", False)


def test_states_entities_and_open_events():
    door = make_device("Back door", S.OPEN_CLOSE, value="closed", entity_type=EntityType.DOOR)
    cam = make_device("Porch camera", S.MOVEMENT, value="idle", entity_type=EntityType.CAMERA)
    opened = Event.objects.create(entity=cam.entity, entity_state=cam.state, start=at(1), value="active")
    Event.objects.create(entity=cam.entity, entity_state=cam.state, start=at(0), end=at(1), value="active")
    later = Event.objects.create(entity=cam.entity, entity_state=cam.state, start=at(2), value="active")
    assert reads.state_entities({door.state.pk, cam.state.pk, 999_999}) == {
        door.state.pk: (door.entity.pk, "Back door", EntityType.DOOR),
        cam.state.pk: (cam.entity.pk, "Porch camera", EntityType.CAMERA)}
    assert reads.open_state_events({door.state.pk, cam.state.pk}) == {cam.state.pk: [opened.pk, later.pk]}
    assert reads.state_entities(set()) == {} and reads.open_state_events(set()) == {}


def test_a_renamed_entity_is_named_by_its_new_name_in_the_next_alert(monkeypatch):
    door = make_device("Back door", S.OPEN_CLOSE, value="closed", entity_type=EntityType.DOOR)
    rule("Door opened", [{"state": door.state.pk, "op": "eq", "value": "open"}], quiet_seconds=0)
    published: list[dict] = []
    monkeypatch.setattr(live, "publish_many", lambda kind, items: published.extend(items))
    engine = get_engine()
    engine.evaluate_changes([change(door, "open", 1)], now=at(1))
    acknowledge(Alert.objects.get().pk, "test")
    engine.evaluate_changes([change(door, "closed", 2)], now=at(2))
    Entity.objects.filter(pk=door.entity.pk).update(name="Garden door")  # no signal anything could listen to
    engine.evaluate_changes([change(door, "open", 3)], now=at(3))
    assert [[e["name"] for e in item["entities"]] for item in published] == [["Back door"], ["Garden door"]]
    newest = Alert.objects.order_by("-id").first()
    assert list(newest.entities.values_list("name", flat=True)) == ["Garden door"]
