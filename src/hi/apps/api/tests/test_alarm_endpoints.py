"""``/api/v1/mode``, ``/alerts``, ``/rules``, ``/channels``: shapes, validation (400 naming the field), secrets."""

from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest

from hi.apps.access.testing import token_owner
from hi.apps.alarm.models import Alert, Channel, ModeChange, Rule
from hi.apps.api.models import ApiToken
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.sense.pipeline import get_pipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

from .test_stream import _read_event

SECRET_URL = "json://hook-user:Sup3rS3cretPass@127.0.0.1:9/hooks"


def _rule(state_id: int, **extra) -> dict:
    return {"name": "Door open", "conditions": [{"state": state_id, "op": "eq", "value": "open"}],
            "modes": ["day", "night", "away"], "level": "warning", "actions": [{"type": "alert"}]} | extra


@pytest.mark.django_db
def test_mode_get_put_and_history(api):
    assert api.get("/api/v1/mode").json()["mode"] == "day"
    response = api.put("/api/v1/mode", {"mode": "away", "for_minutes": 30}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["mode"] == "away" and body["revert_mode"] == "day"
    change = ModeChange.objects.first()
    assert change.mode == "away" and change.changed_by == "api-token:tests"
    bad = api.put("/api/v1/mode", {"mode": "vacation"}, content_type="application/json")
    assert bad.status_code == 400 and "vacation" in bad.json()["detail"]
    assert api.put("/api/v1/mode", {"snooze_minutes": 15}, content_type="application/json").json()["snooze_until"]


@pytest.mark.django_db
def test_rules_crud_and_bad_rules_name_the_field(api):
    door = make_device("Door", S.OPEN_CLOSE, value="closed")
    dimmer = make_device("Dimmer", S.LIGHT_DIMMER, value=0)
    created = api.post("/api/v1/rules", _rule(door.state.pk), content_type="application/json")
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    assert api.get(f"/api/v1/rules/{rule_id}").json()["conditions"][0]["value"] == "open"
    cases = [
        (_rule(dimmer.state.pk), "conditions[0].value"),  # a dimmer cannot be "open"
        (_rule(door.state.pk, conditions=[{"state": door.state.pk, "op": "above", "value": 3}]), "conditions[0].op"),
        (_rule(999999), "conditions[0].state"),
        (_rule(door.state.pk, level="loud"), "level"),
        (_rule(door.state.pk, modes=["party"]), "modes"),
        (_rule(door.state.pk, name=""), "name"),
        (_rule(door.state.pk, actions=[{"type": "explode"}]), "actions[0].type"),
        (_rule(door.state.pk, conditions=[{"state": dimmer.state.pk, "op": "above", "value": 150}]),
         "conditions[0].value"),
    ]
    for payload, field in cases:
        response = api.post("/api/v1/rules", payload, content_type="application/json")
        assert response.status_code == 400, payload
        assert response.json()["field"] == field, response.json()
    assert Rule.objects.count() == 1
    bad_put = api.put(f"/api/v1/rules/{rule_id}", _rule(door.state.pk, level="x"), content_type="application/json")
    assert bad_put.status_code == 400 and Rule.objects.get().level == "warning"
    updated = api.put(f"/api/v1/rules/{rule_id}", _rule(door.state.pk, level="critical"),
                      content_type="application/json")
    assert updated.json()["level"] == "critical"
    assert api.get(f"/api/v1/rules/{rule_id}/test").json()["would_fire"] is False
    assert api.delete(f"/api/v1/rules/{rule_id}").status_code == 204
    assert api.get(f"/api/v1/rules/{rule_id}").status_code == 404


@pytest.mark.django_db
def test_channels_never_show_their_url(api, caplog):
    created = api.post("/api/v1/channels", {"name": "hooks", "url": SECRET_URL, "level": "info"},
                       content_type="application/json")
    assert created.status_code == 201, created.content
    listing = api.get("/api/v1/channels")
    assert listing.json() == [{"name": "hooks", "kind": "json", "min_level": "info", "modes": [], "enabled": True}]
    tested = api.post("/api/v1/channels/hooks/test").json()
    assert tested["ok"] is False and tested["error"]
    everything = created.content + listing.content + json.dumps(tested).encode() + caplog.text.encode()
    assert b"Sup3rS3cretPass" not in everything
    assert api.post("/api/v1/channels", {"name": "bad", "url": "nonsense://x"},
                    content_type="application/json").status_code == 400
    assert api.post("/api/v1/channels", {"name": "hooks", "url": SECRET_URL},
                    content_type="application/json").status_code == 400
    assert Channel.objects.count() == 1
    assert api.delete("/api/v1/channels/hooks").status_code == 204
    assert api.delete("/api/v1/channels/hooks").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_an_alert_arrives_on_the_stream_and_is_acknowledged(server_url):
    door = make_device("Back door", S.OPEN_CLOSE, value="closed")
    _, token = ApiToken.issue("stream", user=token_owner())
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=10, headers=headers) as client:
        rule = client.post(f"{server_url}/api/v1/rules", json=_rule(door.state.pk, level="critical"))
        assert rule.status_code == 201, rule.text
        with client.stream("GET", f"{server_url}/api/v1/stream") as response:
            lines = response.iter_lines()
            assert any(line == ": connected" for line in [next(lines), next(lines)])
            moment = dt.datetime.now(dt.UTC)
            get_pipeline().process([SensorResponse(IntegrationKey("test", "Back door"), "open", moment)])
            events = [_read_event(lines), _read_event(lines)]
            kinds = [e[0] for e in events]
            assert kinds == ["state", "alert"]
            alert_event = json.loads(events[1][1])
            assert alert_event["level"] == "critical" and alert_event["state"] == "open"
            assert alert_event["entities"] == [{"id": door.entity.pk, "name": "Back door"}]
            assert alert_event["rule"] == "Door open"
            listed = client.get(f"{server_url}/api/v1/alerts?open=true").json()
            assert [a["id"] for a in listed] == [alert_event["id"]]
            assert set(listed[0]) >= {"id", "rule_id", "rule_name", "level", "status", "opened_at", "last_fired_at",
                                      "acknowledged_by", "acknowledged_at", "entities", "events", "deliveries"}
            acked = client.post(f"{server_url}/api/v1/alerts/{alert_event['id']}/ack", json={"note": "me"})
            assert acked.status_code == 200 and acked.json()["acknowledged_by"] == "api-token:stream"
            event, data = _read_event(lines)
            assert event == "alert" and json.loads(data)["state"] == "acknowledged"
        assert client.get(f"{server_url}/api/v1/alerts?open=true").json() == []
        again = client.post(f"{server_url}/api/v1/alerts/{alert_event['id']}/ack", json={})
        assert again.status_code == 400
    assert Alert.objects.get().ack_note == "me"
