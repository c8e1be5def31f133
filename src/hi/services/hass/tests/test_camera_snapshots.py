"""A Home Assistant camera's alert keeps a snapshot: ``HassGateway.fetch_picture`` asks the simulator's camera proxy
(token in the Authorization header) and only bytes that pass the media proxy's checks are kept; a hostile answer
(a page, a wrong type, too much) costs the snapshot, with the reason logged, never the alert."""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone

from hi.apps.alarm import modes, snapshots
from hi.apps.alarm.engine import get_engine
from hi.apps.alarm.models import Alert, AlertSnapshot, Rule
from hi.apps.alarm.rules import create_rule
from hi.apps.entity.models import Entity, EntityState
from hi.apps.event.models import Event
from hi.apps.sense.live.bus import StateChange
from hi.integrations import media_proxy
from hi.integrations.sync.engine import run_sync
from hi.services.hass.testing import configure
from hi.simulator.hass import HassSimulator

pytestmark = pytest.mark.django_db(transaction=True)
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60


def _camera_state() -> EntityState:
    camera = next(e for e in Entity.objects.filter(integration_id="hass", entity_type="camera")
                  if "camera.front_yard" in (e.integration_payload or {}).get("entity_ids", [e.integration_name]))
    return EntityState.objects.get(entity=camera, state_key="camera.front_yard")


def _recording_fires(sim: HassSimulator, *, with_event: bool = False) -> Alert:
    """A rule 'front yard camera recording' fires as the pipeline would report the camera's change."""
    configure(sim)
    run_sync("hass")
    modes.set_mode("day", "test")
    state = _camera_state()
    rule = Rule.objects.get(pk=create_rule({
        "name": "Front yard recording", "conditions": [{"state": state.pk, "op": "eq", "value": "recording"}],
        "modes": ["day", "night", "away"], "level": "warning", "actions": [{"type": "alert"}]})["id"])
    sim.set_state("camera.front_yard", "recording")
    now = timezone.now()
    state.value, state.value_updated_at = "recording", now
    state.save(update_fields=["value", "value_updated_at"])
    if with_event:  # the pipeline records the camera's transition as an open Event
        Event.objects.create(entity_id=state.entity_id, entity_state=state, value="recording", start=now)
    fired = get_engine().evaluate_changes([StateChange(state.entity_id, state.pk, ("camera.front_yard",),
                                                       "recording", "idle", now)], now=now)
    assert [f.rule.name for f in fired] == [rule.name]
    alert = Alert.objects.get(rule=rule)
    assert alert.camera_entity_id == state.entity_id
    return alert


@pytest.fixture
def camera_sim():
    simulator = HassSimulator(activity=False)
    with simulator.running_in_thread():
        yield simulator


def test_an_alert_on_a_home_assistant_camera_keeps_its_picture(camera_sim, caplog):
    alert = _recording_fires(camera_sim, with_event=True)
    assert alert.event_ids  # an event with no thumbnail of its own: the picture now stands in
    assert snapshots.wait_for_captures()
    stored = AlertSnapshot.objects.get(alert=alert)
    assert bytes(stored.data) == camera_sim.last_camera_picture and stored.data[:3] == b"\xff\xd8\xff"
    assert stored.content_type == "image/jpeg" and stored.source == "home assistant camera camera.front_yard"
    asked = [path for method, path in camera_sim.request_log if path.startswith("/api/camera_proxy/")]
    assert asked == ["/api/camera_proxy/camera.front_yard"]  # the token went in a header, never the URL
    assert camera_sim.token not in caplog.text


@pytest.mark.parametrize(("answer", "why"), [
    (("text/html", b"<html><script>alert(1)</script></html>"), "declared 'text/html'"),
    (("image/svg+xml", b"<svg onload='alert(1)'/>"), "declared 'image/svg+xml'"),
    (("image/jpeg", b"<html><script>alert(1)</script></html>"), "does not start like image/jpeg"),
    (("image/png", JPEG), "does not start like image/png"),
    (("image/jpeg", JPEG + b"\x00" * 5000), "over the 4096 limit"),
])
def test_a_hostile_camera_answer_gives_no_snapshot_and_a_logged_reason(camera_sim, caplog, monkeypatch,
                                                                       answer, why):
    monkeypatch.setitem(media_proxy.LIMIT_OVERRIDES, "picture", (4096, 10.0))
    camera_sim.camera_answer = answer
    with caplog.at_level(logging.WARNING, logger="hi.apps.alarm.snapshots"):
        alert = _recording_fires(camera_sim)
        assert snapshots.wait_for_captures()
    assert not AlertSnapshot.objects.filter(alert=alert).exists()
    assert Alert.objects.filter(pk=alert.pk).exists()  # the alert stands; only its picture is missing
    reasons = [r.getMessage() for r in caplog.records if r.name == "hi.apps.alarm.snapshots"]
    assert len(reasons) == 1 and why in reasons[0] and f"alert {alert.pk}" in reasons[0], reasons
    assert camera_sim.token not in caplog.text
