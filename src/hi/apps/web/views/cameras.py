"""Recorded events' player, the camera wall, and the live-stream caps it obeys.

Media paths come from the owning integration's gateway (``event_media``, ``media_urls``): pages never
read an integration's payload and never hold a device address or a credential. The wall starts live
tiles only while the stream caps (``hi.integrations.stream_limits``) have room; the proxy enforces them
anyway, and a refused tile shows refreshed snapshots with a note.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render

from hi.apps.entity.availability import AvailabilityIndex
from hi.apps.entity.enums import EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityAttribute
from hi.apps.event.models import Event
from hi.apps.places.models import Collection
from hi.integrations.stream_limits import get_limiter

from .pages import _camera_urls, media_for

SNAPSHOT_SECONDS = 5


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.select_related("entity", "entity_state"), pk=event_id)
    media = media_for(event)
    camera = _camera_urls(event.entity) if event.entity.entity_type == EntityType.CAMERA else {}
    return render(request, "web/event.html", {"event": event, "media": media, "camera": camera})


def _last_events(cameras: list[Entity]) -> dict[int, Event]:
    """Each camera's latest movement event (one query per camera, using the entity/start index)."""
    last: dict[int, Event] = {}
    for camera in cameras:
        found = (Event.objects.filter(entity=camera, entity_state__state_type=EntityStateType.MOVEMENT)
                 .select_related("entity").order_by("-start", "-id").first())
        if found is not None:
            last[camera.id] = found
    return last


def wall(request: HttpRequest) -> HttpResponse:
    """Every camera (or a collection's) in a grid: live while the caps allow, else refreshed snapshots."""
    cameras = (Entity.objects.filter(entity_type=EntityType.CAMERA).order_by("name", "id")
               .prefetch_related("states", Prefetch("attributes", queryset=EntityAttribute.objects.all())))
    collection = None
    chosen = request.GET.get("collection", "")
    if chosen.isdigit():
        collection = get_object_or_404(Collection, pk=int(chosen))
        cameras = cameras.filter(collection_items__collection=collection)
    entities = list(cameras)
    last = _last_events(entities)
    index = AvailabilityIndex()
    tiles = []
    for camera in entities:
        event = last.get(camera.id)
        tiles.append({"entity": camera, "urls": _camera_urls(camera), "availability": index.of_entity(camera),
                      "movement": next((s for s in camera.states.all()
                                        if s.state_type == EntityStateType.MOVEMENT), None),
                      "last_event": event, "last_media": media_for(event) if event is not None else None})
    collections = Collection.objects.filter(items__entity__entity_type=EntityType.CAMERA).distinct()
    return render(request, "web/camera_wall.html", {
        "tiles": tiles, "collection": collection, "collections": collections,
        "limits": get_limiter().status(), "snapshot_seconds": SNAPSHOT_SECONDS,
    })


def streams_status(request: HttpRequest) -> JsonResponse:
    """The caps and the slots in use, for the wall to decide which tiles go live and to explain the rest."""
    return JsonResponse(get_limiter().status())
