"""The plain executemany writers store values exactly as the ORM would, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from hi.apps.alarm.models import Alert, Rule, RuleRuntime
from hi.apps.sense.bulk import insert_values, update_rows, upsert_rows

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 11, 30, 7, 30, 15, 123456, tzinfo=dt.UTC)


def test_upsert_inserts_new_rows_and_updates_existing_ones_in_place():
    first, second = (Rule.objects.create(name=n, level="warning", conditions=[], actions=[]) for n in ("a", "b"))
    RuleRuntime.objects.create(rule=first, armed=True, true_since={"0": "old"})
    upsert_rows(RuleRuntime, [
        RuleRuntime(rule=first, armed=False, cleared_at=AT, true_since={"0": AT.isoformat()}, incidents=["x"]),
        RuleRuntime(rule=second, armed=True, due_at=AT, incidents=[]),
    ], ["armed", "cleared_at", "true_since", "last_true", "due_at", "last_fired_at", "incidents"])
    assert RuleRuntime.objects.count() == 2
    one, two = RuleRuntime.objects.get(rule=first), RuleRuntime.objects.get(rule=second)
    assert (one.armed, one.cleared_at, one.true_since, one.incidents) == (False, AT, {"0": AT.isoformat()}, ["x"])
    assert (two.armed, two.due_at, two.cleared_at) == (True, AT, None)
    assert RuleRuntime.objects.filter(due_at__lte=AT).get() == two  # stored as the ORM compares it


def test_update_and_insert_values_round_trip_json_and_times():
    alert = Alert.objects.create(rule_name="door", level="warning", opened_at=AT, last_fired_at=AT, event_ids=[1])
    alert.last_fired_at, alert.event_ids = AT + dt.timedelta(minutes=1), [1, 2, {"k": "ü"}]
    update_rows(Alert, [alert], ["last_fired_at", "event_ids"])
    insert_values(Alert.alarms.rel.related_model, ["alert", "fired_at", "values"], [(alert.pk, AT, {"1": 2.5})])
    stored = Alert.objects.get(pk=alert.pk)
    assert stored.last_fired_at == AT + dt.timedelta(minutes=1) and stored.event_ids == [1, 2, {"k": "ü"}]
    assert list(stored.alarms.values_list("fired_at", "values")) == [(AT, {"1": 2.5})]
