"""Alerts, an alert, the rules page and its forms, the header's mode switch and the live banner."""

from __future__ import annotations

import pytest

from hi.apps.alarm.engine import get_engine, reset_engine
from hi.apps.alarm.models import Alert, ModeChange, Rule
from hi.apps.alarm.notify import add_channel
from hi.apps.alarm.rules import create_rule
from hi.apps.alarm.tests.helpers import at, change
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.enums import EntityType
from hi.apps.entity.tests.factories import make_device
from hi.apps.sense.live.bus import LiveMessage
from hi.apps.web.views.live import render_alarm_events

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_engine():
    reset_engine()
    yield
    reset_engine()


def _door_alert():
    door = make_device("Back door", S.OPEN_CLOSE, value="closed", entity_type=EntityType.DOOR)
    create_rule({"name": "Back door opened", "conditions": [{"state": door.state.pk, "op": "eq", "value": "open"}],
                 "level": "critical"})
    get_engine().evaluate_changes([change(door, "open", 1)], now=at(1))
    return door, Alert.objects.get()


def test_every_page_has_the_mode_switch_and_the_open_alerts_banner(client_in):
    _door, alert = _door_alert()
    for url in ("/", "/events/", "/alerts/", "/rules/"):
        page = client_in.get(url).content.decode()
        assert 'id="mode-switch"' in page and 'id="alert-banner"' in page, url
        assert f'data-alert-id="{alert.pk}"' in page and "Back door opened" in page, url


def test_alerts_and_alert_pages_and_acknowledge(client_in):
    door, alert = _door_alert()
    page = client_in.get("/alerts/").content.decode()
    assert "Back door opened" in page and "Acknowledge" in page
    detail = client_in.get(f"/alerts/{alert.pk}/").content.decode()
    assert "Entities now" in detail and f'data-state-id="{door.state.pk}"' in detail
    response = client_in.post(f"/alerts/{alert.pk}/ack", {"note": "it was me", "next": "/alerts/"})
    assert response.status_code == 302 and response["Location"] == "/alerts/"
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == "user:alice" and alert.ack_note == "it was me"
    assert 'data-alert-id' not in client_in.get("/").content.decode().split('id="alert-banner"')[1].split("</div>\n<span")[0]
    assert client_in.get("/alerts/999/").status_code == 404


def test_acknowledge_through_htmx_returns_the_new_banner(client_in):
    _door, alert = _door_alert()
    response = client_in.post(f"/alerts/{alert.pk}/ack", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "data-alert-id" not in response.content.decode()


def test_mode_switch_records_who(client_in):
    response = client_in.post("/mode", {"mode": "away", "next": "/events/"})
    assert response.status_code == 302 and response["Location"] == "/events/"
    assert ModeChange.objects.first().changed_by == "user:alice"
    assert 'value="away" class="btn btn-sm btn-warning active"' in client_in.get("/").content.decode()
    client_in.post("/mode", {"mode": "bogus"})
    assert ModeChange.objects.count() == 1
    assert client_in.post("/mode", {"mode": "day", "next": "https://evil.example/"})["Location"] == "/"


def test_live_render_sends_banner_sound_and_mode(client_in):
    _door, alert = _door_alert()
    text = render_alarm_events([LiveMessage("alert", {"id": alert.pk, "level": "critical", "state": "open"}),
                                LiveMessage("mode", {"mode": "night"})])
    assert "event: alarm-banner\n" in text and f'data-alert-id="{alert.pk}"' in text
    assert "event: alarm-sound\ndata: critical\n\n" in text
    assert "event: alarm-count\ndata: 1\n\n" in text  # the header's open-alert count
    assert 'event: alarm-mode\ndata: {"mode": "night"}' in text


def test_rule_form_offers_only_valid_values_and_saves(client_in):
    door = make_device("Back door", S.OPEN_CLOSE, value="closed")
    dimmer = make_device("Hall dimmer", S.LIGHT_DIMMER, value=0, controllable=True)
    field = client_in.get("/rules/value-field", {"name": "cond-0", "cond-0-state": door.state.pk}).content.decode()
    assert '<option value="open"' in field and '<option value="closed"' in field and "above" not in field
    field = client_in.get("/rules/value-field", {"name": "cond-0", "cond-0-state": dimmer.state.pk}).content.decode()
    assert 'type="number"' in field and 'min="0"' in field and 'max="100"' in field and "is above" in field
    assert client_in.get("/rules/new").status_code == 200
    form = {"name": "Door at night", "level": "warning", "match": "all", "modes": ["night"], "enabled": "1",
            "act_alert": "1", "cond-0-state": door.state.pk, "cond-0-op": "eq", "cond-0-value": "open",
            "cond-1-state": "", "control_controller": dimmer.controller.pk, "control_value": "60"}
    response = client_in.post("/rules/new", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = Rule.objects.get()
    assert rule.conditions == [{"state": door.state.pk, "op": "eq", "value": "open"}]
    assert rule.actions == [{"type": "alert"}, {"type": "control", "controller": dimmer.controller.pk, "value": 60}]
    bad = client_in.post(f"/rules/{rule.pk}/", form | {"cond-0-value": "ajar"})
    assert bad.status_code == 400 and 'data-field="conditions[0].value"' in bad.content.decode()
    assert Rule.objects.get().conditions[0]["value"] == "open"
    added = client_in.post("/rules/new", form | {"add_condition": "1"}).content.decode()
    assert 'name="cond-2-state"' in added


def test_rules_page_test_disable_delete(client_in):
    door = make_device("Back door", S.OPEN_CLOSE, value="open")
    rule_id = create_rule({"name": "Door", "conditions": [{"state": door.state.pk, "op": "eq", "value": "open"}]})["id"]
    tested = client_in.post(f"/rules/{rule_id}/test").content.decode()
    assert "would fire now" in tested
    client_in.post(f"/rules/{rule_id}/disable")
    assert Rule.objects.get().enabled is False
    client_in.post(f"/rules/{rule_id}/delete")
    assert not Rule.objects.exists()


def test_channel_urls_never_reach_a_page(client_in):
    add_channel("mail", "mailto://someone:Very-Secret-Pw@127.0.0.1:1025?from=hi@example.com&to=x@example.com", "info")
    for url in ("/rules/new", "/rules/", "/alerts/", "/", "/channels/"):
        assert "Very-Secret-Pw" not in client_in.get(url).content.decode()


def test_channels_page_adds_tests_and_removes(client_in):
    response = client_in.post("/channels/", {"action": "add", "name": "hook", "url": "json://127.0.0.1:9/x",
                                             "level": "info"})
    assert response.status_code == 302
    page = client_in.get("/channels/").content.decode()
    assert 'data-channel="hook"' in page and "127.0.0.1:9" not in page
    bad = client_in.post("/channels/", {"action": "add", "name": "bad", "url": "nonsense://", "level": "info"})
    assert bad.status_code == 400 and "Apprise does not understand" in bad.content.decode()
    tested = client_in.post("/channels/", {"action": "test", "name": "hook"}, follow=True).content.decode()
    assert "Test to hook failed" in tested
    client_in.post("/channels/", {"action": "remove", "name": "hook"})
    assert 'data-channel="hook"' not in client_in.get("/channels/").content.decode()


def test_editing_a_rule_on_an_integrations_health_keeps_that_condition(client_in):
    from hi.apps.alarm.defaults import ensure_integration_default
    from hi.integrations.models import Integration

    Integration.objects.create(integration_id="hass", status="active")
    ensure_integration_default("hass")
    rule = Rule.objects.get()
    page = client_in.get(f"/rules/{rule.pk}/").content.decode()
    assert "Integration hass is error for 300 s" in page and 'name="cond-0-fixed"' in page
    form = {"name": "HA down", "level": "critical", "match": "all", "modes": ["day"], "enabled": "1",
            "act_alert": "1", "cond-0-fixed": page.split('name="cond-0-fixed" value="')[1].split('"')[0]
            .replace("&quot;", '"'), "cond-1-state": ""}
    response = client_in.post(f"/rules/{rule.pk}/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert (rule.name, rule.level) == ("HA down", "critical")
    assert rule.conditions == [{"integration": "hass", "op": "eq", "value": "error", "held_for": 300}]


def test_security_page_snoozes_sets_the_exit_delay_and_schedule_and_shows_who(client_in):
    from hi.apps.alarm import modes

    page = client_in.get("/security/").content.decode()
    assert 'id="snooze-form"' in page and 'id="security-settings"' in page and "No changes yet." in page
    assert 'href="/security/"' in client_in.get("/alerts/").content.decode()
    response = client_in.post("/mode", {"snooze": "15", "next": "/security/"})
    assert response.status_code == 302 and response["Location"] == "/security/"
    assert modes.mode_json()["snooze_until"] is not None
    saved = client_in.post("/security/", {"exit_delay_seconds": "45", "schedule_enabled": "1",
                                          "day_starts": "07:00", "night_starts": "22:30"})
    assert saved.status_code == 302
    current = modes.mode_json()
    assert current["exit_delay_seconds"] == 45
    assert current["schedule"] == {"enabled": True, "day_starts": "07:00", "night_starts": "22:30"}
    bad = client_in.post("/security/", {"exit_delay_seconds": "45", "schedule_enabled": "1", "day_starts": "07:00"})
    assert bad.status_code == 400 and "needs both" in bad.content.decode()
    assert modes.mode_json()["schedule"]["night_starts"] == "22:30"  # nothing saved
    client_in.post("/mode", {"mode": "away", "next": "/security/"})
    page = client_in.get("/security/").content.decode()
    assert "(exit delay)" in page and "user:alice" in page and "snoozed until" in page
