"""Notifications through Apprise to real servers on loopback: SMTP (aiosmtpd) and a JSON webhook receiver.

Deliveries are recorded, a failing channel is retried with backoff until it recovers, a dead channel
delays no other, and channel URLs (secrets) never reach logs, errors or JSON.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading

import pytest
from django.utils import timezone

from hi.apps.alarm import notify, runner
from hi.apps.alarm.engine import get_engine
from hi.apps.alarm.enums import DeliveryStatus
from hi.apps.alarm.models import Delivery
from hi.apps.alarm.rules import create_rule
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.simulator.inbox import InboxSimulator
from hi.utils.clock import Clock

from .helpers import change

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def inbox():
    simulator = InboxSimulator()
    with simulator.running_in_thread():
        yield simulator


@pytest.fixture
def blackhole():
    """A TCP server that accepts connections and never answers: a dead notification service."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"json://127.0.0.1:{server.getsockname()[1]}/dead"
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


def _fire(rule_name: str = "Water in the basement", level: str = "critical") -> None:
    sensor = make_device("Basement leak", S.MOISTURE, value="clear")
    create_rule({"name": rule_name, "conditions": [{"state": sensor.state.pk, "op": "eq", "value": "detected"}],
                 "level": level, "life_safety": True, "modes": [],
                 "actions": [{"type": "alert"}, {"type": "notify", "channels": []}]})
    now = timezone.now()
    get_engine().evaluate_changes([change(sensor, "detected", 0)], now=now)


def test_an_alert_is_emailed_and_posted_and_recorded(inbox):
    notify.add_channel("mail", inbox.mail_url(), "warning")
    notify.add_channel("hook", inbox.webhook_url(), "info")
    notify.add_channel("only-critical-at-night", inbox.webhook_url(), "info", ["night"])
    _fire()
    assert set(Delivery.objects.values_list("channel__name", flat=True)) == {"mail", "hook"}
    counts = notify.deliver_due()
    assert counts == {DeliveryStatus.SENT: 2}
    mail = inbox.wait_for(1, via="smtp")[0]
    hook = inbox.wait_for(1, via="webhook")[0]
    assert mail.title == "[CRITICAL] Water in the basement" and "Basement leak" in mail.body
    assert mail.recipients == ["home@example.com"]
    assert hook.title == "[CRITICAL] Water in the basement"
    assert all(d.attempts == 1 and d.sent_at for d in Delivery.objects.all())


def test_channel_minimum_level_filters(inbox):
    notify.add_channel("mail", inbox.mail_url(), "critical")
    _fire(level="warning")
    assert not Delivery.objects.exists()


def test_a_failing_channel_is_retried_until_it_recovers_and_others_are_unaffected(inbox):
    notify.add_channel("mail", inbox.mail_url(), "info")
    notify.add_channel("hook", inbox.webhook_url(), "info")
    inbox.faults.set("error_burst", status=503, count=1, paths=["/hook"])
    _fire()
    assert notify.deliver_due() == {DeliveryStatus.SENT: 1, DeliveryStatus.PENDING: 1}
    hook = Delivery.objects.get(channel__name="hook")
    assert hook.status == DeliveryStatus.PENDING and hook.attempts == 1 and "503" in hook.error
    assert hook.next_attempt_at > timezone.now()  # backoff: not due yet
    assert notify.deliver_due() == {}
    assert Delivery.objects.get(channel__name="mail").status == DeliveryStatus.SENT
    later = hook.next_attempt_at + dt.timedelta(milliseconds=1)
    assert notify.deliver_due(later) == {DeliveryStatus.SENT: 1}
    hook.refresh_from_db()
    assert hook.status == DeliveryStatus.SENT and hook.attempts == 2
    assert len(inbox.wait_for(1, via="webhook")) == 1


def test_a_channel_that_never_recovers_gives_up_after_the_last_attempt(inbox):
    notify.add_channel("hook", inbox.webhook_url(), "info")
    inbox.faults.set("error_burst", status=500, count=100, paths=["/hook"])
    _fire()
    moment = timezone.now()
    for _ in range(notify.MAX_ATTEMPTS):
        notify.deliver_due(moment)
        moment += dt.timedelta(hours=1)
    hook = Delivery.objects.get()
    assert hook.status == DeliveryStatus.FAILED and hook.attempts == notify.MAX_ATTEMPTS and hook.error


def test_a_dead_channel_does_not_delay_the_others(inbox, blackhole):
    notify.add_channel("dead", blackhole, "info")
    notify.add_channel("mail", inbox.mail_url(), "info")
    _fire()
    worker = threading.Thread(target=notify.deliver_due, daemon=True)
    started = timezone.now()
    worker.start()
    inbox.wait_for(1, via="smtp", timeout=3)
    assert (timezone.now() - started).total_seconds() < 3
    worker.join(60)
    assert Delivery.objects.get(channel__name="mail").status == DeliveryStatus.SENT
    dead = Delivery.objects.get(channel__name="dead")
    assert dead.status == DeliveryStatus.PENDING and dead.attempts == 1 and dead.error


def test_send_test_reports_the_real_outcome(inbox):
    notify.add_channel("mail", inbox.mail_url(), "info")
    notify.add_channel("nowhere", "json://127.0.0.1:9/none", "info")
    assert notify.send_test("mail", "alice")["ok"] is True
    assert "test notification" in inbox.wait_for(1, via="smtp")[0].title
    result = notify.send_test("nowhere")
    assert result["ok"] is False and result["error"]


def test_secrets_never_reach_logs_errors_or_json(inbox, caplog):
    secret = "Pa55-Never-Shown-9f8e7d"
    notify.add_channel("leaky", f"json://admin:{secret}@127.0.0.1:9/x", "info")
    _fire()
    with caplog.at_level("DEBUG"):
        notify.deliver_due()
        tested = notify.send_test("leaky")
    delivery = Delivery.objects.get(is_test=False)
    from hi.apps.alarm.alerts import list_alerts

    texts = [delivery.error, str(tested), str(notify.list_channels()), str(list_alerts())]
    texts += [record.getMessage() for record in caplog.records if not record.name.startswith("apprise")]
    assert all(secret not in text for text in texts)


def test_the_worker_notifier_sends_as_soon_as_a_rule_fires(inbox):
    """End to end: the notifier task is woken by the firing's commit, not by its poll interval."""
    notify.add_channel("mail", inbox.mail_url(), "info")

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(runner.run_notifier(Clock(), stop))
        await asyncio.sleep(0)  # let it register its wake-up
        from asgiref.sync import sync_to_async

        await sync_to_async(_fire, thread_sensitive=False)()
        await asyncio.to_thread(inbox.wait_for, 1, 5.0, "smtp")
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(scenario())
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_only_the_secret_parts_of_a_url_are_redacted_elsewhere():
    from hi.utils.redaction import redact

    notify.register_url_secrets("json://bob:Hidden-Pw-77@127.0.0.1:8080/hooks?token=Abcdefghijklmnop1234")
    text = redact("GET http://127.0.0.1:8080/status for bob with Hidden-Pw-77 and Abcdefghijklmnop1234")
    assert "127.0.0.1:8080" in text and "Hidden-Pw-77" not in text and "Abcdefghijklmnop1234" not in text


def test_a_flapping_sensor_notifies_once_then_only_as_a_reminder(inbox):
    from hi.apps.alarm.firing import REMIND_AFTER_SECONDS
    from hi.apps.alarm.models import Alarm

    notify.add_channel("mail", inbox.mail_url(), "info")
    motion = make_device("Hall motion", S.MOVEMENT, value="idle")
    create_rule({"name": "Hall motion", "conditions": [{"state": motion.state.pk, "op": "eq", "value": "active"}],
                 "level": "warning", "modes": ["day"], "actions": [{"type": "alert"}, {"type": "notify"}]})
    start = timezone.now()
    for second in range(0, 60, 10):  # active, idle, active… within a minute: one incident, one message
        moment = start + dt.timedelta(seconds=second)
        get_engine().evaluate_changes([change(motion, "active", second)], now=moment)
        get_engine().evaluate_changes([change(motion, "idle", second + 5)], now=moment + dt.timedelta(seconds=5))
    assert Alarm.objects.count() == 6 and Delivery.objects.count() == 1
    later = start + dt.timedelta(seconds=REMIND_AFTER_SECONDS + 1)
    get_engine().evaluate_changes([change(motion, "active", REMIND_AFTER_SECONDS + 1)], now=later)
    assert Delivery.objects.count() == 2  # still open and firing ten minutes on: a reminder
