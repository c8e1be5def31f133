"""Health: failures escalate, success resets, refused credentials are an error at once, secrets stay out."""

from __future__ import annotations

import pytest

from hi.integrations import health
from hi.integrations.enums import HealthStatus, IntegrationStatus
from hi.integrations.exceptions import AuthenticationError, IntegrationConnectionError
from hi.integrations.models import Integration
from hi.utils.redaction import register_secret

pytestmark = pytest.mark.django_db


@pytest.fixture
def running() -> Integration:
    return Integration.objects.create(integration_id="toy", status=IntegrationStatus.ACTIVE)


def current() -> Integration:
    return Integration.objects.get(integration_id="toy")


def test_failures_warn_then_error_and_success_resets(running):
    assert health.record_failure("toy", IntegrationConnectionError("refused")) == HealthStatus.WARNING
    assert health.record_failure("toy", "timed out") == HealthStatus.WARNING
    assert health.record_failure("toy", RuntimeError("boom")) == HealthStatus.ERROR
    integration = current()
    assert integration.consecutive_failures == 3 and "3 failures in a row: boom" in integration.health_message
    assert integration.last_error == "boom" and integration.last_error_at is not None
    health.record_success("toy", "polled 4 devices")
    integration = current()
    assert integration.health_status == HealthStatus.HEALTHY and integration.consecutive_failures == 0
    assert integration.health_message == "polled 4 devices" and integration.last_success_at is not None


def test_refused_credentials_are_an_error_at_once(running):
    assert health.record_failure("toy", AuthenticationError("token refused")) == HealthStatus.ERROR
    assert "needs new credentials" in current().health_message


def test_messages_are_redacted(running):
    register_secret("s3cr3t-token-value")
    health.record_failure("toy", "GET /api?token=abc123 failed with s3cr3t-token-value")
    integration = current()
    assert "abc123" not in integration.health_message and "s3cr3t-token-value" not in integration.last_error


def test_disabled_integrations_ignore_reports():
    Integration.objects.create(integration_id="toy", status=IntegrationStatus.DISABLED,
                               health_status=HealthStatus.DISABLED)
    assert health.record_failure("toy", "late failure") is None
    health.record_success("toy")
    assert current().health_status == HealthStatus.DISABLED


def test_heartbeat_and_details_show_in_the_snapshot(running, toy_gateway):
    health.heartbeat("toy")
    health.set_detail("toy", "breaker", "closed")
    health.set_detail("toy", "queue", 3)
    snapshot = health.health_snapshot("toy")
    assert snapshot["heartbeat_at"] is not None and snapshot["label"] == "Toy"
    assert snapshot["details"] == {"breaker": "closed", "queue": 3, "active": False}
    assert snapshot["health_status"] == HealthStatus.UNKNOWN


def test_snapshot_of_an_unconfigured_integration(toy_gateway):
    snapshot = health.health_snapshot("toy")
    assert snapshot["status"] == IntegrationStatus.NOT_CONFIGURED and snapshot["health_status"] == "unknown"
    assert any(item["integration_id"] == "toy" for item in health.all_health_snapshots())


def test_a_refused_call_keeps_the_real_cause_and_is_not_counted(running):
    from hi.integrations.client.breaker import CircuitBreaker
    from hi.integrations.exceptions import CircuitOpenError

    breaker = CircuitBreaker("toy", failure_threshold=1, reset_timeout=60)
    health.record_failure("toy", IntegrationConnectionError("connection refused by 127.0.0.1:8123"))
    breaker.record_failure("connection refused by 127.0.0.1:8123")
    with pytest.raises(CircuitOpenError) as refused:
        breaker.before_call()
    assert "connection refused" in refused.value.message
    for _ in range(5):
        health.record_failure("toy", refused.value)
    integration = current()
    assert integration.consecutive_failures == 1  # one real attempt; refusals never reached the peer
    assert "connection refused by 127.0.0.1:8123" in integration.health_message
    assert "waiting before trying again" in integration.health_message


def test_a_dead_worker_makes_its_integrations_unknown_not_healthy(running, toy_gateway):
    import datetime as dt

    from django.utils import timezone

    from hi.apps.monitor.models import WorkerHeartbeat

    health.record_success("toy")
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="elsewhere:1", hostname="elsewhere", pid=1, started_at=now,
                                   heartbeat_at=now - dt.timedelta(seconds=45), monitors={"toy": {}})
    snapshot = health.health_snapshot("toy")
    assert snapshot["health_status"] == "unknown" and snapshot["stale"]
    assert "not monitored: worker elsewhere:1 is not running (no heartbeat for 45 s)" in snapshot["message"]
    assert "last report: healthy" in snapshot["message"]
    WorkerHeartbeat.objects.create(worker_id="elsewhere:2", hostname="elsewhere", pid=2, started_at=now,
                                   heartbeat_at=now, monitors={"toy": {}})
    assert health.health_snapshot("toy")["health_status"] == "healthy"  # a live worker runs it again


def test_an_integration_nobody_reports_on_turns_unknown(running, toy_gateway):
    import datetime as dt

    from django.utils import timezone

    long_ago = timezone.now() - dt.timedelta(minutes=5)
    Integration.objects.filter(integration_id="toy").update(health_status=HealthStatus.HEALTHY,
                                                            heartbeat_at=long_ago, last_success_at=long_ago)
    snapshot = health.health_snapshot("toy")
    assert snapshot["health_status"] == "unknown" and snapshot["stale_since"] == long_ago.isoformat()
