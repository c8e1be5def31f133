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


class PlacementIn(Schema):
    entity_id: int
    shape: str = Field("icon", description="icon (a point) or area (a polygon)")
    x: float = 0
    y: float = 0
    size: float = Field(0, description="icon size in plan units; 0: a default")
    rotation: float = 0
    points: list[list[float]] = Field(default_factory=list, description="an area's corners [[x, y], …]")


class PlanIn(Schema):
    svg: str | None = Field(None, description="a new drawing as SVG text (sanitized before it is stored)")
    image_base64: str | None = Field(None, description="a new drawing as a base64 PNG or JPEG")
    placements: list[PlacementIn] | None = Field(None, description="replaces every placement when given")
    fade_seconds: int | None = Field(None, ge=10, le=3600)


class PlanOut(Schema):
    location: dict[str, Any] | None
    format: str
    width: float
    height: float
    fade_seconds: int
    image_url: str
    updated_at: str | None
    placements: list[PlacementIn]


def _plan_out(location_id: int) -> dict[str, Any]:
    from django.urls import reverse

    from hi.apps.places import plans

    plan = plans.get_plan(location_id)
    return plans.plan_json(plan, reverse("api:plan_image", args=[location_id]))


@router.get("/locations/{location_id}/plan", response={200: PlanOut, **ERRORS}, summary="A place's plan and placements")
def get_plan(request: HttpRequest, location_id: int) -> Any:
    return _plan_out(location_id)


@router.put("/locations/{location_id}/plan", response={200: PlanOut, **ERRORS},
            summary="Upload a drawing and/or replace the placements (all or nothing)")
def put_plan(request: HttpRequest, location_id: int, payload: PlanIn) -> Any:
    import base64
    import binascii

    from django.db import transaction

    from hi.apps.places import plans

    with transaction.atomic():
        if payload.svg is not None:
            plans.save_plan(location_id, payload.svg.encode(), payload.fade_seconds)
        elif payload.image_base64 is not None:
            try:
                data = base64.b64decode(payload.image_base64, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise plans.PlanError("image_base64 is not valid base64") from exc
            plans.save_plan(location_id, data, payload.fade_seconds)
        if payload.placements is not None:
            plans.set_placements(location_id, [p.dict() for p in payload.placements], payload.fade_seconds)
        elif payload.fade_seconds is not None and payload.svg is None and payload.image_base64 is None:
            plan = plans.get_plan(location_id)
            plans.set_placements(location_id, [plans.placement_json(p) for p in plan.placements.all()],
                                 payload.fade_seconds)
    return _plan_out(location_id)


@router.get("/locations/{location_id}/plan/image", url_name="plan_image", summary="The (sanitized) drawing itself")
def plan_image(request: HttpRequest, location_id: int) -> Any:
    from hi.apps.places import plans
    from hi.apps.places.models import FloorPlan

    plans.get_plan(location_id)
    return plans.image_response(FloorPlan.objects.get(location_id=location_id))


@router.delete("/locations/{location_id}/plan", response={204: None, **ERRORS}, summary="Remove a place's plan")
def delete_plan(request: HttpRequest, location_id: int) -> Any:
    from hi.apps.places import plans

    plans.delete_plan(location_id)
    return Status(204, None)


class CollectionOut(Schema):
    id: int
    name: str
    view: str
    pinned: bool
    position: int
    size: int | None = None
    entity_ids: list[int] | None = None


class CollectionIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    view: str = Field("grid", description="grid (cards) or list")
    pinned: bool = Field(False, description="shown as a tab on the home page")
    entity_ids: list[int] = Field(default_factory=list, description="members, in order")


class CollectionChange(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    view: str | None = None
    pinned: bool | None = None
    position: int | None = None
    entity_ids: list[int] | None = Field(None, description="replaces the members and their order")


@router.get("/collections", response=list[CollectionOut], summary="Every collection, in order")
def list_collections(request: HttpRequest) -> Any:
    from hi.apps.places import collections

    return collections.list_collections()


@router.post("/collections", response={201: CollectionOut, **ERRORS}, summary="Create a collection")
def create_collection(request: HttpRequest, payload: CollectionIn) -> Any:
    from hi.apps.places import collections

    return Status(201, collections.create_collection(payload.name, payload.view, payload.pinned, payload.entity_ids))


@router.get("/collections/{collection_id}", response={200: CollectionOut, **ERRORS},
            summary="One collection with its members in order")
def get_collection(request: HttpRequest, collection_id: int) -> Any:
    from hi.apps.places import collections

    return collections.get_collection(collection_id)


@router.put("/collections/{collection_id}", response={200: CollectionOut, **ERRORS},
            summary="Rename, pin, reorder, or replace the members (only the fields sent change)")
def update_collection(request: HttpRequest, collection_id: int, payload: CollectionChange) -> Any:
    from hi.apps.places import collections

    changes = {k: getattr(payload, k) for k in payload.model_fields_set}
    return collections.update_collection(collection_id, **changes)


@router.delete("/collections/{collection_id}", response={200: dict, **ERRORS}, summary="Delete a collection")
def delete_collection(request: HttpRequest, collection_id: int) -> Any:
    from hi.apps.places import collections

    return collections.delete_collection(collection_id)


class LinkIn(Schema):
    target: str | int = Field(..., description="the integration's entity (id or key) this hand-made one becomes")


@router.post("/entities/{key_or_id}/link", response={200: EntityOut, **ERRORS},
             summary="Merge a thing added by hand into an integration's entity")
def link_entity(request: HttpRequest, key_or_id: str, payload: LinkIn) -> Any:
    entity = operations.link_manual(find_entity(key_or_id), find_entity(payload.target))
    return entity_json(entities_with_states(Entity.objects.all()).get(pk=entity.pk))
