"""Database reads and writes the weather monitor needs: open alert events, and who is serving."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hi.apps.event.models import Event
from hi.integrations import health
from hi.integrations.enums import HealthStatus
from hi.integrations.models import Integration
from hi.utils.redaction import redact

from .station import sensor_key

if TYPE_CHECKING:
    from .service import WeatherSnapshot


def open_alert_events() -> dict[str, dict[str, Any]]:
    """Alert events still open, by NWS alert id; the Event table is the record, so restarts lose nothing."""
    key = sensor_key("alerts")
    rows = Event.objects.filter(sensor__integration_id=key.integration_id, sensor__integration_name=key.integration_name,
                                end__isnull=True).exclude(correlation_id="").values_list("correlation_id", "details")
    return {correlation_id: dict(details or {}) for correlation_id, details in rows}


def record_weather_health(integration_id: str, snapshot: WeatherSnapshot, sources: dict[str, Any],
                          poll_failed: bool) -> None:
    """Say which source serves each value; a failing source or stale data is a warning, not healthy."""
    now = snapshot.taken_at
    health.set_detail(integration_id, "weather", {
        "serving": snapshot.serving, "sources": sources,
        "values": {name: value.provenance(now) for name, value in snapshot.values.items()},
    })
    if poll_failed:
        return  # record_failure has said why; the details above still show what is being kept
    summary = snapshot.summary()
    if snapshot.any_stale or any(s.state != "ok" for s in snapshot.sources.values()):
        Integration.objects.filter(integration_id=integration_id).exclude(
            health_status=HealthStatus.ERROR).update(health_status=HealthStatus.WARNING,
                                                     health_message=redact(summary)[:500])
    else:
        health.record_success(integration_id, summary)
