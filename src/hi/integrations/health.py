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
from .exceptions import AuthenticationError, CircuitOpenError, IntegrationError
from .models import Integration

logger = logging.getLogger(__name__)

ERROR_AFTER_FAILURES = 3
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
        if isinstance(exc_or_message, CircuitOpenError):
            return _circuit_open(integration, text)
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


def _circuit_open(integration: Integration, text: str) -> HealthStatus:
    """A call the breaker refused never reached the peer: not another failure, and not a new cause.

    The count stays that of real attempts and the message keeps the last real error, saying the
    client waits before trying again.
    """
    cause = integration.last_error or text
    if integration.health_status not in (HealthStatus.WARNING, HealthStatus.ERROR):
        integration.health_status = HealthStatus.WARNING
    integration.health_message = f"{cause} (waiting before trying again)"[:500]
    integration.save(update_fields=["health_status", "health_message", "updated_at"])
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


def _heard_from(integration: Integration) -> dt.datetime | None:
    """The last time anything about the integration's monitor was recorded."""
    moments = [m for m in (integration.heartbeat_at, integration.last_success_at, integration.last_error_at) if m]
    return max(moments) if moments else None


def _unmonitored(integration: Integration, workers: list[Any], now: dt.datetime) -> tuple[str, str | None] | None:
    """Why an active integration's stored health is not current (reason, since), or None when it is.

    Its worker is dead (killed, crashed, stopped) and no live one runs it, or nothing has reported
    for it within two heartbeat intervals; either way its last report is history, not health.
    """
    from hi.apps.monitor.models import STALE_AFTER

    if integration.status != IntegrationStatus.ACTIVE:
        return None
    runners = [(w, w.liveness(now=now)) for w in workers if integration.integration_id in (w.monitors or {})]
    if runners and not any(state.alive for _, state in runners):
        worker, state = runners[0]
        return f"worker {worker.worker_id} is not running ({state.reason})", iso(state.since)
    heard = _heard_from(integration)
    if heard is None or (now - heard).total_seconds() > STALE_AFTER:
        return "no report from its monitor" + (f" since {iso(heard)}" if heard else " yet"), iso(heard)
    return None


def _snapshot(integration: Integration, workers: list[Any]) -> dict[str, Any]:
    """What the CLI, the API and the pages show: the stored health — one source for every process.

    The gateway's live report adds details only (its breaker and metrics are this process's);
    status and message are what the monitor recorded, so every reader says the same thing.
    """
    status, message = integration.health_status, integration.health_message
    details = dict(integration.health_details or {})
    label = integration.integration_id
    try:
        gateway = integration_factory.get_gateway(integration.integration_id)
        label = gateway.label
        if integration.status not in _QUIET:
            details.update(gateway.health().details)
    except Exception as exc:  # a broken gateway must not break the health page
        logger.warning("health of %s unavailable: %s", integration.integration_id, redact(exc))
    stale = _unmonitored(integration, workers, timezone.now())
    if stale is not None:
        reason = stale[0]
        last = f"last report: {status}" + (f" — {message}" if message else "")
        status, message = HealthStatus.UNKNOWN, f"not monitored: {reason}; {last}"
    return {
        "integration_id": integration.integration_id, "label": label, "status": integration.status,
        "health_status": str(status), "message": redact(message), "consecutive_failures":
        integration.consecutive_failures, "last_success_at": iso(integration.last_success_at),
        "last_error_at": iso(integration.last_error_at), "last_error": redact(integration.last_error),
        "heartbeat_at": iso(integration.heartbeat_at), "last_sync_at": iso(integration.last_sync_at),
        "stale": stale is not None, "stale_since": stale[1] if stale else None,
        "details": details,
    }


def _workers() -> list[Any]:
    from hi.apps.monitor.models import recent_workers

    try:
        return recent_workers()
    except Exception:  # the monitor tables not migrated yet: judge by report age alone
        return []


def health_snapshot(integration_id: str) -> dict[str, Any]:
    """The stored health (unknown when nothing monitors it now) plus the gateway's live details."""
    integration = Integration.objects.filter(integration_id=integration_id).first()
    if integration is None:
        integration = Integration(integration_id=integration_id)
    return _snapshot(integration, _workers())


def all_health_snapshots() -> list[dict[str, Any]]:
    """One snapshot per known integration, configured or not (for ``hi health``)."""
    stored = {i.integration_id: i for i in Integration.objects.all()}
    ids = sorted(set(integration_factory.available_integration_ids()) | set(stored))
    workers = _workers()
    return [_snapshot(stored.get(iid) or Integration(integration_id=iid), workers) for iid in ids]
