"""Entities with their states and current values, sensor history, events and control."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from hi.apps.entity.availability import AvailabilityIndex
from hi.apps.entity.models import Entity, EntityState
from hi.apps.places import operations
from hi.apps.places.tree import LocationTree
from hi.apps.sense.models import SensorHistory
from hi.operations import actions
from hi.operations.queries import NotFound, filter_events, find_entity
from hi.utils.params import MAX_DB_INT

from .auth import requested_by
from .schemas import ControlIn, ControlOut, EntityOut, EntityPage, EventPage, HistoryPage, Problem
from .serializers import control_json, entities_with_states, entity_json, event_json, iso

router = Router()


class Page(Schema):
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_DB_INT)


def _page(queryset: QuerySet, page: Page, render: Any) -> dict[str, Any]:
    return {"count": queryset.count(), "limit": page.limit, "offset": page.offset,
            "items": [render(row) for row in queryset[page.offset:page.offset + page.limit]]}


class EntityFilters(Page):
    integration: str | None = Field(None, description="only this integration's entities")
    entity_type: str | None = None
    q: str | None = Field(None, description="name contains")
    detached: bool | None = None


@router.get("/entities", response=EntityPage, tags=["entities"], summary="Entities with states and values")
def list_entities(request: HttpRequest, filters: Query[EntityFilters]) -> dict[str, Any]:
    entities = Entity.objects.all()
    if filters.integration:
        entities = entities.filter(integration_id=filters.integration)
    if filters.entity_type:
        entities = entities.filter(entity_type=filters.entity_type)
    if filters.q:
        entities = entities.filter(name__icontains=filters.q)
    if filters.detached is not None:
        detached = Q(integration_id__isnull=True) & ~Q(detached_key="")
        entities = entities.filter(detached) if filters.detached else entities.exclude(detached)
    tree = LocationTree.load()
    index = AvailabilityIndex()  # one read of the integrations for the whole page
    return _page(entities_with_states(entities.order_by("name", "id")), filters,
                 lambda e: entity_json(e, tree, index=index))


class EntityIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    entity_type: str = "other"
    location: str | int | None = Field(None, description="place id, name or path")


@router.post("/entities", response={201: EntityOut, 400: Problem, 404: Problem}, tags=["places"],
             summary="Add a thing by hand (no integration; no sync ever removes it)")
def create_entity(request: HttpRequest, payload: EntityIn) -> Any:
    entity = operations.create_entity(payload.name, payload.entity_type, payload.location)
    return Status(201, entity_json(entities_with_states(Entity.objects.all()).get(pk=entity.pk)))


@router.get("/entities/{key_or_id}", response={200: EntityOut, 400: Problem, 404: Problem}, tags=["entities"],
            summary="One entity by id or integration key")
def get_entity(request: HttpRequest, key_or_id: str) -> Any:
    return entity_json(find_entity(key_or_id, entities_with_states(Entity.objects.all())))


def _history_json(row: SensorHistory) -> dict[str, Any]:
    return {"sensor_id": row.sensor_id, "value": row.value, "response_at": iso(row.response_at),
            "details": row.details}


@router.get("/states/{state_id}/history", response={200: HistoryPage, 404: Problem}, tags=["entities"],
            summary="Every distinct raw reading still kept, newest first (old ranges: /states/{id}/series)")
def state_history(request: HttpRequest, state_id: int, page: Query[Page]) -> Any:
    if not EntityState.objects.filter(pk=state_id).exists():
        raise NotFound(f"no state {state_id}")
    rows = SensorHistory.objects.filter(sensor__entity_state_id=state_id).order_by("-response_at", "-id")
    return _page(rows, page, _history_json)


class EventFilters(Page):
    entity: str | None = Field(None, description="entity id or integration key")
    since: str | None = Field(None, description="ISO 8601; events starting at or after")
    until: str | None = Field(None, description="ISO 8601; events starting at or before")
    type: str | None = Field(None, description="state type, e.g. movement")


@router.get("/events", response={200: EventPage, 400: Problem, 404: Problem}, tags=["events"],
            summary="Events, newest first")
def list_events(request: HttpRequest, filters: Query[EventFilters]) -> Any:
    events = filter_events(filters.entity, filters.since, filters.until, filters.type)
    return _page(events, filters, event_json)


@router.post("/control", response={200: ControlOut, 400: Problem, 404: Problem}, tags=["control"],
             summary="Ask a controller to set a value; the answer is the recorded request")
def control(request: HttpRequest, payload: ControlIn) -> Any:
    history = actions.control(payload.key, payload.value, requested_by(request), code=payload.code)
    return control_json(history)
