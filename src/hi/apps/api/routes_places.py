"""Places: the location tree, putting entities in rooms, and things added by hand (docs/places.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hi.apps.entity.models import Entity
from hi.apps.places import operations
from hi.operations.queries import find_entity

from .schemas import EntityOut, Problem
from .serializers import entities_with_states, entity_json

router = Router(tags=["places"])
ERRORS = {400: Problem, 404: Problem}


class LocationOut(Schema):
    id: int
    name: str
    path: str
    kind: str
    parent_id: int | None
    position: int
    entity_count: int | None = None
    depth: int | None = None


class LocationIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    parent: str | int | None = Field(None, description="parent place id, name or path; none: top level")
    kind: str | None = Field(None, description="home, floor, room or area (guessed from the depth when left out)")
    position: int | None = None


class LocationChange(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    parent: str | int | None = Field(None, description="new parent (id, name or path); null: top level")
    kind: str | None = None
    position: int | None = None


class AssignIn(Schema):
    location: str | int | None = Field(..., description="place id, name or path; null: no place")


@router.get("/locations", response=list[LocationOut], summary="Every place, in tree order")
def list_locations(request: HttpRequest) -> Any:
    return operations.list_locations()


@router.post("/locations", response={201: LocationOut, **ERRORS}, summary="Add a place")
def create_location(request: HttpRequest, payload: LocationIn) -> Any:
    return Status(201, operations.create_location(payload.name, payload.parent, payload.kind, payload.position))


@router.get("/locations/{location_id}", response={200: LocationOut, **ERRORS}, summary="One place")
def get_location(request: HttpRequest, location_id: int) -> Any:
    return operations.get_location(location_id)


@router.put("/locations/{location_id}", response={200: LocationOut, **ERRORS},
            summary="Rename, move or reorder a place (only the fields sent change)")
def update_location(request: HttpRequest, location_id: int, payload: LocationChange) -> Any:
    changes: dict[str, Any] = {k: getattr(payload, k) for k in payload.model_fields_set}
    return operations.update_location(location_id, **changes)


@router.delete("/locations/{location_id}", response={200: dict, **ERRORS},
               summary="Delete a place: its entities lose their place, its children move up")
def delete_location(request: HttpRequest, location_id: int) -> Any:
    return operations.delete_location(location_id)


@router.put("/entities/{key_or_id}/location", response={200: EntityOut, **ERRORS},
            summary="Put an entity in a place (a person's choice: syncs keep it)")
def assign_location(request: HttpRequest, key_or_id: str, payload: AssignIn) -> Any:
    entity = operations.assign(find_entity(key_or_id), payload.location)
    return entity_json(entities_with_states(Entity.objects.all()).get(pk=entity.pk))
