"""What the weather monitor reads from the database (open alert events) and reports as health."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hi.apps.event.models import Event

from .station import sensor_key

if TYPE_CHECKING:
    from .service import WeatherSnapshot


def open_alert_events() -> dict[str, dict[str, Any]]:
    """Alert events still open, by NWS alert id; the Event table is the record, so restarts lose nothing."""
    key = sensor_key("alerts")
    rows = Event.objects.filter(sensor__integration_id=key.integration_id, sensor__integration_name=key.integration_name,
                                end__isnull=True).exclude(correlation_id="").values_list("correlation_id", "details")
    return {correlation_id: dict(details or {}) for correlation_id, details in rows}


def weather_detail(snapshot: WeatherSnapshot, sources: dict[str, Any]) -> dict[str, Any]:
    """The health detail that says which source serves each value (stored through the monitor context)."""
    now = snapshot.taken_at
    return {"serving": snapshot.serving, "sources": sources,
            "values": {name: value.provenance(now) for name, value in snapshot.values.items()}}


def is_degraded(snapshot: WeatherSnapshot) -> bool:
    """A failing source or stale data is a warning, not healthy."""
    return snapshot.any_stale or any(s.state != "ok" for s in snapshot.sources.values())
