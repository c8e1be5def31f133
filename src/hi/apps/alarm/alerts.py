"""Alerts: their JSON (API, CLI, stream), acknowledging, expiring, and listing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from . import live
from .enums import AlertStatus
from .models import Alert, AlertSnapshot, Delivery
from .snapshots import snapshot_path

MAX_NOTE = 2000


class AlertNotFound(LookupError):
    pass


class AlertError(ValueError):
    pass


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def alerts_query() -> QuerySet[Alert]:
    """Alerts with what their JSON needs, in a fixed number of queries for any number of alerts."""
    return Alert.objects.prefetch_related(
        "entities", Prefetch("deliveries", queryset=Delivery.objects.select_related("channel").order_by("id"))
    ).annotate(has_snapshot=Exists(AlertSnapshot.objects.filter(alert=OuterRef("pk"))))


def alert_json(alert: Alert) -> dict[str, Any]:
    """The API's and CLI's shape of an alert (channel URLs never appear, only channel names)."""
    return {
        "id": alert.pk, "rule_id": alert.rule_id, "rule_name": alert.rule_name, "level": alert.level,
        "status": alert.status, "opened_at": _iso(alert.opened_at), "last_fired_at": _iso(alert.last_fired_at),
        "acknowledged_by": alert.acknowledged_by or None, "acknowledged_at": _iso(alert.acknowledged_at),
        "note": alert.ack_note or None, "mode": alert.mode or None,
        "entities": [{"id": e.pk, "name": e.name} for e in alert.entities.all()],
        "events": list(alert.event_ids),
        "camera_entity_id": alert.camera_entity_id, "detail": alert.detail or None,
        "snapshot": snapshot_path(alert.pk) if getattr(alert, "has_snapshot", False) else None,
        "deliveries": [{"channel": d.channel.name, "status": d.status, "attempts": d.attempts, "error": d.error or None}
                       for d in alert.deliveries.all()],
    }


def stream_json(alert: Alert, entities: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The ``alert`` event on ``/api/v1/stream``."""
    if entities is None:
        entities = [{"id": e.pk, "name": e.name} for e in alert.entities.all()]
    return {"id": alert.pk, "rule": alert.rule_name, "rule_id": alert.rule_id, "level": alert.level,
            "state": alert.status, "entities": entities,
            "timestamp": (alert.acknowledged_at if alert.status == AlertStatus.ACKNOWLEDGED
                          else alert.closed_at or alert.last_fired_at).isoformat()}


def list_alerts(open_only: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    query = alerts_query()
    if open_only:
        query = query.filter(status=AlertStatus.OPEN)
    return [alert_json(a) for a in query[:limit]]


def get_alert(alert_id: Any) -> Alert:
    try:
        pk = int(alert_id)
    except (TypeError, ValueError):
        raise AlertNotFound(f"no alert {alert_id!r}") from None
    alert = alerts_query().filter(pk=pk).first()
    if alert is None:
        raise AlertNotFound(f"no alert {pk}")
    return alert


def acknowledge(alert_id: Any, by: str, note: str = "", now: dt.datetime | None = None) -> dict[str, Any]:
    """Record who acknowledged an open alert, when, with an optional note; the stream hears of it."""
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise AlertError(f"note must be at most {MAX_NOTE} characters")
    now = now or timezone.now()
    with transaction.atomic():
        alert = get_alert(alert_id)
        if alert.status != AlertStatus.OPEN:
            raise AlertError(f"alert {alert.pk} is already {alert.status}")
        updated = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
            status=AlertStatus.ACKNOWLEDGED, acknowledged_by=by, acknowledged_at=now, ack_note=note, closed_at=now)
        if not updated:
            raise AlertError(f"alert {alert.pk} was acknowledged meanwhile")
        alert.status, alert.acknowledged_by, alert.acknowledged_at, alert.ack_note, alert.closed_at = (
            AlertStatus.ACKNOWLEDGED, by, now, note, now)
        live.publish("alert", stream_json(alert))
    return alert_json(alert)


def expire_due(now: dt.datetime | None = None) -> int:
    """Alerts whose rule gives them a lifetime and nobody acknowledged become ``cleared``."""
    now = now or timezone.now()
    due = list(Alert.objects.filter(status=AlertStatus.OPEN, expires_at__lte=now).prefetch_related("entities"))
    for alert in due:
        with transaction.atomic():
            if Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
                    status=AlertStatus.CLEARED, closed_at=now):
                alert.status, alert.closed_at = AlertStatus.CLEARED, now
                live.publish("alert", stream_json(alert))
    return len(due)


def open_alerts(limit: int = 20) -> list[Alert]:
    return list(Alert.objects.filter(status=AlertStatus.OPEN).order_by("-last_fired_at", "-id")[:limit])
