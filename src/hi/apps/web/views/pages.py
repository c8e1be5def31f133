"""Cameras, weather and system health: pages that read entities' states without integration-specific code paths.

Cameras use the stream/snapshot proxy paths their integration stores on the entity; weather reads
the station's states (current values, forecasts, alerts, provenance) by their keys.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hi.apps.entity.enums import EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.event.models import Event
from hi.apps.monitor.models import WorkerHeartbeat

from .integrations import integration_cards

CAMERA_EVENT_LIMIT = 20
_PROXY_PREFIX = "/"  # only same-origin paths are ever put in a page (never a device's own address)


def _proxy_path(value: Any) -> str:
    text = str(value or "")
    return text if text.startswith(_PROXY_PREFIX) and not text.startswith("//") else ""


def _camera_urls(camera: Entity) -> dict[str, str]:
    payload = camera.integration_payload or {}
    urls = {"stream": _proxy_path(payload.get("stream_path")), "snapshot": _proxy_path(payload.get("snapshot_path"))}
    for attribute in camera.attributes.all():
        name = attribute.name.lower()
        if "stream" in name and not urls["stream"]:
            urls["stream"] = _proxy_path(attribute.value)
        if "snapshot" in name and not urls["snapshot"]:
            urls["snapshot"] = _proxy_path(attribute.value)
    return urls


def cameras(request: HttpRequest) -> HttpResponse:
    entities = list(Entity.objects.filter(entity_type=EntityType.CAMERA).order_by("name", "id")
                    .prefetch_related("states", Prefetch("attributes", queryset=EntityAttribute.objects.all())))
    events_by_camera: dict[int, list[Event]] = {entity.id: [] for entity in entities}
    recent = (Event.objects.filter(entity__in=entities, entity_state__state_type=EntityStateType.MOVEMENT)
              .order_by("-start")[: CAMERA_EVENT_LIMIT * max(1, len(entities))])
    for event in recent:
        if len(events_by_camera[event.entity_id]) < CAMERA_EVENT_LIMIT:
            events_by_camera[event.entity_id].append(event)
    cards = [{"entity": e, "urls": _camera_urls(e), "events": events_by_camera[e.id]} for e in entities]
    live = request.GET.get("live")
    return render(request, "web/cameras.html", {"cards": cards, "live": live})


def _series(points: list[dict[str, Any]], time_key: str,
            fields: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Chart series from forecast points; each field becomes one line on the axis of its units."""
    series = []
    for key, label, units in fields:
        data = [{"x": str(p.get(time_key)), "y": p.get(key)} for p in points
                if isinstance(p, dict) and p.get(key) is not None and p.get(time_key)]
        if data:
            series.append({"label": label, "units": units, "points": data, "axis": "pct" if units == "%" else "y"})
    return series


def _age(text: Any, now: dt.datetime) -> float | None:
    when = parse_datetime(text) if isinstance(text, str) else None
    return (now - when).total_seconds() if when else None


def weather(request: HttpRequest) -> HttpResponse:
    station = (Entity.objects.filter(entity_type=EntityType.WEATHER_STATION)
               .prefetch_related(Prefetch("states", queryset=EntityState.objects.order_by("id"))).first())
    context: dict[str, Any] = {"station": station}
    if station is not None:
        states = {s.state_key: s for s in station.states.all()}
        temperature_units = getattr(states.get("temperature"), "units", "")
        provenance = getattr(states.get("provenance"), "value", None) or {}
        now = timezone.now()
        current = []
        for key in ("temperature", "conditions", "humidity", "wind_speed", "wind_direction", "pressure",
                    "dew_point", "visibility", "sunrise", "sunset"):
            state = states.get(key)
            if state is None:
                continue
            origin = provenance.get(key) if isinstance(provenance, dict) else None
            current.append({"state": state, "source": (origin or {}).get("source", ""),
                            "age": _age((origin or {}).get("observed_at"), now),
                            "stale": (origin or {}).get("stale", False)})
        hourly = getattr(states.get("forecast_hourly"), "value", None) or []
        daily = getattr(states.get("forecast_daily"), "value", None) or []
        alerts_state = states.get("alerts")
        alert_events = list(Event.objects.filter(entity_state=alerts_state, end__isnull=True)
                            .order_by("-start")[:20]) if alerts_state else []
        context.update({
            "current": current, "freshness": getattr(states.get("freshness"), "value", None),
            "hourly_json": json.dumps(_series(hourly if isinstance(hourly, list) else [], "time", [
                ("temperature", "Temperature", temperature_units),
                ("precipitation_probability", "Precipitation chance", "%")])),
            "daily_json": json.dumps(_series(daily if isinstance(daily, list) else [], "date", [
                ("temperature_max", "High", temperature_units), ("temperature_min", "Low", temperature_units),
                ("precipitation_probability", "Precipitation chance", "%")])),
            "daily": daily if isinstance(daily, list) else [],
            "alerts": [{"event": e, "details": e.details or {}} for e in alert_events],
            "alert_summary": alerts_state.value if alerts_state and isinstance(alerts_state.value, list) else [],
        })
    return render(request, "web/weather.html", context)


def health(request: HttpRequest) -> HttpResponse:
    workers = list(WorkerHeartbeat.objects.order_by("-heartbeat_at")[:5])
    return render(request, "web/health.html", {
        "cards": integration_cards(), "workers": [{"row": w, "alive": w.is_alive()} for w in workers],
    })
