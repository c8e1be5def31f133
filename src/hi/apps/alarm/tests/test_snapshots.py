"""Camera alerts: the camera's picture is fetched server-side (ZoneMinder simulator on loopback), kept with the
alert, shown on its page, and attached to the email a real SMTP server (aiosmtpd) receives."""

from __future__ import annotations

import pytest
from django.test import Client

from hi.apps.access.testing import make_user
from hi.apps.alarm import modes, notify, snapshots
from hi.apps.alarm.alerts import alert_json, get_alert
from hi.apps.alarm.engine import get_engine
from hi.apps.alarm.enums import DeliveryStatus
from hi.apps.alarm.models import Alert, AlertSnapshot, Delivery
from hi.apps.entity.models import EntityState
from hi.apps.event.models import Event
from hi.apps.sense.live.bus import StateChange
from hi.integrations.sync.engine import run_sync
from hi.services.zoneminder.tests.conftest import configure
from hi.simulator.inbox import InboxSimulator
from hi.simulator.zoneminder import ZoneMinderSimulator

from .helpers import at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def zm():
    simulator = ZoneMinderSimulator(motion=False, timezone="America/Chicago")
    with simulator.running_in_thread():
        yield simulator


@pytest.fixture
def inbox():
    simulator = InboxSimulator()
    with simulator.running_in_thread():
        yield simulator


def _first_camera_motion() -> EntityState:
    return EntityState.objects.filter(entity__integration_id="zoneminder", state_key="movement").order_by("id")[0]


def _motion_on_first_camera() -> Alert:
    """Away, and the first camera sees motion: its default rule fires (an alert with the camera)."""
    modes.set_mode("away", "test")
    state = _first_camera_motion()
    state.value = "active"
    state.value_updated_at = at(1)
    state.save(update_fields=["value", "value_updated_at"])
    get_engine().evaluate_changes([StateChange(state.entity_id, state.pk, ("zm",), "active", "idle", at(1))])
    return Alert.objects.get()


def _secrets(sim: ZoneMinderSimulator) -> list[str]:
    return [sim.password, "token=", sim.portal_url, *sim.state.tokens]


def test_a_camera_alert_keeps_a_snapshot_and_emails_it(zm, inbox):
    configure(zm)
    run_sync("zoneminder")
    notify.add_channel("mail", inbox.mail_url(), "info")
    alert = _motion_on_first_camera()
    assert alert.camera_entity_id is not None
    assert Delivery.objects.get().attachment == f"camera:{alert.camera_entity_id}"

    assert notify.deliver_due() == {DeliveryStatus.SENT: 1}
    assert snapshots.wait_for_captures()
    stored = AlertSnapshot.objects.get(alert=alert)
    assert stored.content_type == "image/jpeg" and bytes(stored.data).startswith(b"\xff\xd8")
    mail = inbox.wait_for(1, via="smtp")[0]
    assert mail.attachments == [f"alert-{alert.pk}-snapshot.jpg"] and mail.attachment_data == [bytes(stored.data)]
    assert any("mode=single" in path for _, path in zm.request_log)
    assert not any(secret in mail.body + mail.title for secret in _secrets(zm))

    data = alert_json(get_alert(alert.pk))
    assert data["snapshot"] == f"/alerts/{alert.pk}/snapshot"
    client = Client()
    client.force_login(make_user("alice", password="pw-for-tests"))
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert f'src="/alerts/{alert.pk}/snapshot"' in page and 'id="alert-snapshot"' in page
    assert not any(secret in page for secret in _secrets(zm))
    picture = client.get(f"/alerts/{alert.pk}/snapshot")
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert picture.content == bytes(stored.data) and picture["X-Content-Type-Options"] == "nosniff"
    assert Client().get(f"/alerts/{alert.pk}/snapshot").status_code == 302  # signed out: to the login page


def test_a_camera_that_cannot_be_reached_costs_the_picture_not_the_email(zm, inbox):
    configure(zm)
    run_sync("zoneminder")
    notify.add_channel("mail", inbox.mail_url(), "info")
    zm.run_coroutine(zm.stop_listening())  # the camera's server is gone (connection refused)
    alert = _motion_on_first_camera()
    assert snapshots.wait_for_captures()
    assert notify.deliver_due() == {DeliveryStatus.SENT: 1}
    mail = inbox.wait_for(1, via="smtp")[0]
    assert mail.attachments == [] and "motion" in mail.title.lower()
    assert not AlertSnapshot.objects.filter(alert=alert).exists()
    assert alert_json(get_alert(alert.pk))["snapshot"] is None


def test_an_alert_with_a_camera_event_keeps_that_events_snapshot(zm, inbox, settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the thumbnail cache of this test's own
    configure(zm)
    run_sync("zoneminder")
    state = _first_camera_motion()
    monitor_id = state.entity.integration_payload["monitor_id"]
    event_id = zm.state.start_event(monitor_id, score=80)
    event = Event.objects.create(entity_id=state.entity_id, entity_state=state, value="active", start=at(0),
                                 correlation_id=str(event_id), details={"event_id": event_id,
                                                                        "monitor_id": monitor_id})
    alert = _motion_on_first_camera()
    assert alert.event_ids == [event.pk]
    assert snapshots.wait_for_captures()
    stored = AlertSnapshot.objects.get(alert=alert)
    assert stored.source == f"zoneminder event {event_id} snapshot" and bytes(stored.data).startswith(b"\xff\xd8")
    assert any(f"eid={event_id}" in path for _, path in zm.request_log)
