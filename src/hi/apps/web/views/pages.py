"""Cameras, weather and system health: pages that read entities' states without integration-specific code paths.

Cameras show the picture/stream paths their integration's gateway declares (``media_urls``); the
weather page lays the station out as its gateway's ``presentation`` says (which states are current
readings, which hold provenance, forecasts and alerts). Neither reads an integration's payload.
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

from hi.apps.entity.availability import AvailabilityIndex
from hi.apps.entity.enums import EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.event.models import Event
from hi.apps.monitor.models import WorkerHeartbeat
from hi.integrations import integration_factory
from hi.integrations.integration_gateway import EventMedia, IntegrationGateway, MediaUrls, Presentation
from hi.utils.urls import same_origin_path

from ..presentation import wall_clock
from .integrations import integration_cards

CAMERA_EVENT_LIMIT = 20


def _proxy_path(value: Any) -> str:
    """Only same-origin paths are ever put in a page (never a device's own address, nor ``/\\host``)."""
    text = str(value or "")
    return text if same_origin_path(text) else ""


def _gateway(entity: Entity) -> IntegrationGateway | None:
    """The owning integration's gateway; None for a detached or hand-made entity, or one still being built."""
    if not entity.integration_id or entity.integration_id not in integration_factory.available_integration_ids():
        return None
    return integration_factory.get_gateway(entity.integration_id)


def _camera_urls(camera: Entity) -> dict[str, str]:
    gateway = _gateway(camera)
    media = gateway.media_urls(camera) if gateway is not None else MediaUrls()
    urls = {"stream": _proxy_path(media.stream), "snapshot": _proxy_path(media.picture)}
    for attribute in camera.attributes.all():
        name = attribute.name.lower()
        if "stream" in name and not urls["stream"]:
            urls["stream"] = _proxy_path(attribute.value)
        if "snapshot" in name and not urls["snapshot"]:
            urls["snapshot"] = _proxy_path(attribute.value)
    return urls


def media_for(event: Event) -> EventMedia | None:
    """The event's proxied media as its integration declares it (None: not a camera event)."""
    gateway = _gateway(event.entity)
    media = gateway.event_media(event.entity, event) if gateway is not None else None
    if media is None:
        return None
    # only same-origin paths reach a page, whatever a gateway returned
    return EventMedia(thumbnail=_proxy_path(media.thumbnail), playback=_proxy_path(media.playback),
                      playback_type=media.playback_type, frame_count=media.frame_count, fps=media.fps,
                      download=_proxy_path(media.download))


def with_media(events: list[Event]) -> list[dict[str, Any]]:
    return [{"event": event, "media": media_for(event)} for event in events]


def cameras(request: HttpRequest) -> HttpResponse:
    entities = list(Entity.objects.filter(entity_type=EntityType.CAMERA).order_by("name", "id")
                    .prefetch_related("states", Prefetch("attributes", queryset=EntityAttribute.objects.all())))
    events_by_camera: dict[int, list[Event]] = {entity.id: [] for entity in entities}
    recent = (Event.objects.filter(entity__in=entities, entity_state__state_type=EntityStateType.MOVEMENT)
              .select_related("entity", "entity_state").order_by("-start")[: CAMERA_EVENT_LIMIT * max(1, len(entities))])
    for event in recent:
        if len(events_by_camera[event.entity_id]) < CAMERA_EVENT_LIMIT:
            events_by_camera[event.entity_id].append(event)
    index = AvailabilityIndex()
    cards = [{"entity": e, "urls": _camera_urls(e), "events": with_media(events_by_camera[e.id]),
              "availability": index.of_entity(e)} for e in entities]
    live = request.GET.get("live")
    return render(request, "web/cameras.html", {"cards": cards, "live": live})


def _series(points: list[dict[str, Any]], time_key: str,
            fields: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """Chart series from forecast points; each field becomes one line on the axis of its units."""
    series = []
    for key, label, units in fields:
        data = [{"x": wall_clock(p.get(time_key)), "y": p.get(key)} for p in points
                if isinstance(p, dict) and p.get(key) is not None and p.get(time_key)]
        if data:
            series.append({"label": label, "units": units, "points": data, "axis": "pct" if units == "%" else "y"})
    return series


def _age(text: Any, now: dt.datetime) -> float | None:
    when = parse_datetime(text) if isinstance(text, str) else None
    return (now - when).total_seconds() if when else None


def _units(states: dict[str, EntityState], line: Any) -> str:
    return line.units or getattr(states.get(line.units_of), "units", "")


def _laid_out(station: Entity, layout: Presentation) -> dict[str, Any]:
    """The page's context from the station's states, placed where its gateway's presentation says."""
    states = {s.state_key: s for s in station.states.all()}
    provenance = getattr(states.get(layout.provenance), "value", None) or {}
    now = timezone.now()
    current = []
    for key in layout.current:
        state = states.get(key)
        if state is None:
            continue
        origin = (provenance.get(key) if isinstance(provenance, dict) else None) or {}
        current.append({"state": state, "source": origin.get("source", ""), "age": _age(origin.get("observed_at"), now),
                        "stale": origin.get("stale", False)})
    charts = {}
    for chart in layout.charts:
        points = getattr(states.get(chart.state_key), "value", None)
        charts[f"{chart.name}_json"] = json.dumps(_series(points if isinstance(points, list) else [], chart.time_field,
                                                          [(line.field, line.label, _units(states, line))
                                                           for line in chart.lines]))
    periods = getattr(states.get(layout.periods), "value", None)
    alerts_state = states.get(layout.alerts)
    alert_events = list(Event.objects.filter(entity_state=alerts_state, end__isnull=True)
                        .order_by("-start")[:20]) if alerts_state else []
    return {
        **charts, "current": current, "freshness": getattr(states.get(layout.freshness), "value", None),
        "periods": [{"label": p.get(layout.period_label), "text": p.get(layout.period_text)}
                    for p in (periods if isinstance(periods, list) else []) if isinstance(p, dict)],
        "alerts": [{"event": e, "details": e.details or {}} for e in alert_events],
        "alert_summary": alerts_state.value if alerts_state and isinstance(alerts_state.value, list) else [],
    }


def weather(request: HttpRequest) -> HttpResponse:
    """The first weather station, or the one ``?station=<id>`` names (the hub's own and Home Assistant's
    weather entities are all stations; the page links the others)."""
    stations = list(Entity.objects.filter(entity_type=EntityType.WEATHER_STATION).order_by("id").only("id", "name"))
    wanted = request.GET.get("station", "")
    chosen = next((s for s in stations if str(s.id) == wanted), stations[0] if stations else None)
    station = (Entity.objects.filter(pk=chosen.pk)
               .prefetch_related(Prefetch("states", queryset=EntityState.objects.order_by("id"))).first()
               if chosen is not None else None)
    context: dict[str, Any] = {"station": station, "stations": stations if len(stations) > 1 else []}
    if station is not None:
        gateway = _gateway(station)
        layout = gateway.presentation(station) if gateway is not None else None
        # without a layout (a detached station) every state is simply a current reading
        layout = layout or Presentation(current=tuple(s.state_key for s in station.states.all()))
        context.update(_laid_out(station, layout))
    return render(request, "web/weather.html", context)


def health(request: HttpRequest) -> HttpResponse:
    workers = list(WorkerHeartbeat.objects.order_by("-heartbeat_at")[:5])
    return render(request, "web/health.html", {
        "cards": integration_cards(), "workers": [{"row": w, "alive": w.is_alive()} for w in workers],
    })
