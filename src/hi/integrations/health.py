"""Per-integration health: what the worker and sync report, folded into HEALTHY / WARNING / ERROR.

One or two failures in a row are a WARNING (a blip the client layer may recover from); three
or more are an ERROR; refused credentials are an ERROR at once because only a person can fix them.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from hi.utils.redaction import redact

from . import integration_factory
from .enums import HealthStatus, IntegrationStatus
from .exceptions import AuthenticationError, IntegrationError
from .models import Integration

logger = logging.getLogger(__name__)

ERROR_AFTER_FAILURES = 3
_SEVERITY = {HealthStatus.UNKNOWN: 0, HealthStatus.HEALTHY: 1, HealthStatus.WARNING: 2,
             HealthStatus.ERROR: 3, HealthStatus.DISABLED: 4}
_QUIET = (IntegrationStatus.DISABLED, IntegrationStatus.NOT_CONFIGURED)


def iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _locked(integration_id: str) -> Integration | None:
    return Integration.objects.select_for_update().filter(integration_id=integration_id).first()


def record_success(integration_id: str, message: str = "") -> None:
    """A poll, connection or sync worked: HEALTHY, failures reset."""
    now = timezone.now()
    Integration.objects.filter(integration_id=integration_id).exclude(status__in=_QUIET).update(
        health_status=HealthStatus.HEALTHY, health_message=redact(message or "working normally")[:500],
        last_success_at=now, heartbeat_at=now, consecutive_failures=0, updated_at=now)


def record_warning(integration_id: str, message: str) -> None:
    """Working but degraded (a fallback source, stale data): WARNING, unless a failure already made it ERROR."""
    Integration.objects.filter(integration_id=integration_id).exclude(status__in=_QUIET).exclude(
        health_status=HealthStatus.ERROR).update(health_status=HealthStatus.WARNING,
                                                 health_message=redact(message)[:500], updated_at=timezone.now())


def record_failure(integration_id: str, exc_or_message: BaseException | str) -> HealthStatus | None:
    """Count a failure and return the resulting health (None when the integration is not running)."""
    if isinstance(exc_or_message, IntegrationError):
        text = exc_or_message.message
    elif isinstance(exc_or_message, BaseException):
        text = str(exc_or_message) or type(exc_or_message).__name__
    else:
        text = str(exc_or_message)
    text = redact(text)
    now = timezone.now()
    with transaction.atomic():
        integration = _locked(integration_id)
        if integration is None or integration.status in _QUIET:
            return None
        integration.consecutive_failures += 1
        if isinstance(exc_or_message, AuthenticationError):
            integration.health_status = HealthStatus.ERROR
            message = f"{text} — needs new credentials"
        elif integration.consecutive_failures >= ERROR_AFTER_FAILURES:
            integration.health_status = HealthStatus.ERROR
            message = f"{integration.consecutive_failures} failures in a row: {text}"
        else:
            integration.health_status = HealthStatus.WARNING
            message = text
        integration.health_message = message[:500]
        integration.last_error = text[:500]
        integration.last_error_at = now
        integration.save(update_fields=["consecutive_failures", "health_status", "health_message",
                                        "last_error", "last_error_at", "updated_at"])
    logger.info("integration %s health %s: %s", integration_id, integration.health_status, message)
    return HealthStatus(integration.health_status)


def heartbeat(integration_id: str) -> None:
    """The monitor is alive (even if it has nothing to report)."""
    now = timezone.now()
    Integration.objects.filter(integration_id=integration_id).update(heartbeat_at=now)


def set_detail(integration_id: str, key: str, value: Any) -> None:
    """Store one live detail (breaker state, queue depth…) shown with the integration's health."""
    with transaction.atomic():
        integration = _locked(integration_id)
        if integration is None:
            return
        integration.health_details = {**(integration.health_details or {}), key: value}
        integration.save(update_fields=["health_details", "updated_at"])


def _worst(stored: str, live: str) -> str:
    if live == HealthStatus.UNKNOWN:
        return stored
    return live if _SEVERITY.get(HealthStatus(live), 0) > _SEVERITY.get(HealthStatus(stored), 0) else stored


def _snapshot(integration: Integration) -> dict[str, Any]:
    status, message = integration.health_status, integration.health_message
    details = dict(integration.health_details or {})
    label = integration.integration_id
    try:
        gateway = integration_factory.get_gateway(integration.integration_id)
        label = gateway.label
        if integration.status not in _QUIET:
            live = gateway.health()
            details.update(live.details)
            merged = _worst(status, live.status)
            if merged != status:
                status, message = merged, live.message or message
    except Exception as exc:  # a broken gateway must not break the health page
        logger.warning("health of %s unavailable: %s", integration.integration_id, redact(exc))
    return {
        "integration_id": integration.integration_id, "label": label, "status": integration.status,
        "health_status": str(status), "message": redact(message), "consecutive_failures":
        integration.consecutive_failures, "last_success_at": iso(integration.last_success_at),
        "last_error_at": iso(integration.last_error_at), "last_error": redact(integration.last_error),
        "heartbeat_at": iso(integration.heartbeat_at), "last_sync_at": iso(integration.last_sync_at),
        "details": details,
    }


def health_snapshot(integration_id: str) -> dict[str, Any]:
    """Stored health merged with the gateway's live report (the worse of the two wins)."""
    integration = Integration.objects.filter(integration_id=integration_id).first()
    if integration is None:
        integration = Integration(integration_id=integration_id)
    return _snapshot(integration)


def all_health_snapshots() -> list[dict[str, Any]]:
    """One snapshot per known integration, configured or not (for ``hi health``)."""
    stored = {i.integration_id: i for i in Integration.objects.all()}
    ids = sorted(set(integration_factory.available_integration_ids()) | set(stored))
    return [_snapshot(stored.get(iid) or Integration(integration_id=iid)) for iid in ids]
