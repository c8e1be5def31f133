"""``hi mode``, ``snooze``, ``alerts``, ``rules``, ``channels``: JSON shapes, one-line errors, nothing saved on error."""

from __future__ import annotations

import json

import pytest

from hi.apps.alarm.models import Alert, Channel, ModeChange, Rule
from hi.apps.alarm.rules import create_rule
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device

from .test_commands import one_line_error

pytestmark = pytest.mark.django_db


def test_mode_show_set_and_snooze(hi):
    status, out, _ = hi("mode", "--json")
    assert status == 0 and json.loads(out)["mode"] == "day"
    status, out, _ = hi("mode", "set", "night", "--for", "60", "--json")
    body = json.loads(out)
    assert status == 0 and body["mode"] == "night" and body["revert_mode"] == "day"
    assert ModeChange.objects.first().changed_by == "cli"
    status, out, _ = hi("snooze", "10")
    assert status == 0 and "snoozed until" in out
    status, _, err = hi("mode", "set", "party")
    assert status == 2 and "invalid choice" in one_line_error(err)
    status, _, err = hi("mode", "set", "day", "--for", "-3")
    assert status == 2 and one_line_error(err)
    status, _, err = hi("snooze", "soon")
    assert status == 2 and one_line_error(err)


def test_rules_list_show_enable_disable(hi):
    door = make_device("Door", S.OPEN_CLOSE, value="closed")
    rule_id = create_rule({"name": "Door", "conditions": [{"state": door.state.pk, "op": "eq", "value": "open"}]})["id"]
    status, out, _ = hi("rules", "list", "--json")
    assert status == 0 and [r["name"] for r in json.loads(out)] == ["Door"]
    status, out, _ = hi("rules", "show", str(rule_id), "--json")
    assert json.loads(out)["conditions"] == [{"state": door.state.pk, "op": "eq", "value": "open"}]
    assert hi("rules", "disable", str(rule_id))[0] == 0
    assert Rule.objects.get().enabled is False
    assert hi("rules", "enable", str(rule_id))[0] == 0
    assert Rule.objects.get().enabled is True
    status, _, err = hi("rules", "show", "4242")
    assert status == 1 and one_line_error(err) == "hi: no rule 4242"
    status, _, err = hi("rules", "show", "x")
    assert status == 2 and one_line_error(err)


def test_alerts_list_and_ack(hi):
    from hi.apps.alarm.engine import get_engine
    from hi.apps.alarm.tests.helpers import at, change

    door = make_device("Door", S.OPEN_CLOSE, value="closed")
    create_rule({"name": "Door", "conditions": [{"state": door.state.pk, "op": "eq", "value": "open"}]})
    get_engine().evaluate_changes([change(door, "open", 1)], now=at(1))
    status, out, _ = hi("alerts", "list", "--open", "--json")
    alerts = json.loads(out)
    assert status == 0 and len(alerts) == 1 and alerts[0]["entities"] == [{"id": door.entity.pk, "name": "Door"}]
    status, out, _ = hi("alerts", "ack", str(alerts[0]["id"]), "--note", "checked", "--json")
    assert status == 0 and json.loads(out)["acknowledged_by"] == "cli"
    assert Alert.objects.get().ack_note == "checked"
    status, _, err = hi("alerts", "ack", str(alerts[0]["id"]))
    assert status == 1 and "already acknowledged" in one_line_error(err)
    assert json.loads(hi("alerts", "list", "--open", "--json")[1]) == []


def test_channels_add_list_test_remove_never_print_the_url(hi):
    url = "json://user:Hidden-Pa55word@127.0.0.1:9/x"
    status, out, err = hi("channels", "add", "hook", url, "--level", "critical")
    assert status == 0 and "Hidden-Pa55word" not in out + err
    status, out, _ = hi("channels", "list", "--json")
    assert json.loads(out) == [{"name": "hook", "kind": "json", "min_level": "critical", "modes": [],
                                "enabled": True}]
    status, out, err = hi("channels", "test", "hook")
    assert status == 1 and "Hidden-Pa55word" not in out + err and "hook" in one_line_error(err)
    status, _, err = hi("channels", "add", "hook", url)
    assert status == 1 and "already exists" in one_line_error(err)
    status, _, err = hi("channels", "add", "other", "not a url")
    assert status == 1 and "Apprise" in one_line_error(err)
    assert Channel.objects.count() == 1
    assert hi("channels", "remove", "hook")[0] == 0
    status, _, err = hi("channels", "remove", "hook")
    assert status == 1 and one_line_error(err) == "hi: no channel 'hook'"
