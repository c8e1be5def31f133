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
