"""The demo home's places: floors and rooms (from the simulated integrations' suggestions, or a default set),
a drawn plan of one floor with its things placed on it, and a pinned collection. Idempotent: what exists
already is kept, so restarting ``hi demo`` never duplicates or moves anything a person changed."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils.html import escape

from hi.apps.entity.enums import EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityState

from . import collections, operations, plans
from .models import Collection, FloorPlan, Location, LocationKind
from .tree import LocationTree

WIDTH, HEIGHT = 1200.0, 800.0
_DEFAULT_TREE = {"Ground floor": ("Kitchen", "Living room", "Hallway"), "First floor": ("Bedroom", "Office")}
_COLLECTION_TYPES = (EntityType.DOOR, EntityType.LOCK, EntityType.WINDOW, EntityType.COVER)
_AREA_TYPES = {EntityStateType.MOVEMENT, EntityStateType.PRESENCE}


def _default_tree() -> None:
    """No integration suggested places: a small home, with things put in rooms whose name they carry."""
    operations.create_location("Home")
    for floor, rooms in _DEFAULT_TREE.items():
        operations.create_location(floor, parent="Home", kind=LocationKind.FLOOR)
        for room in rooms:
            operations.create_location(room, parent=floor, kind=LocationKind.ROOM)
    tree = LocationTree.load()
    rooms = [loc for loc in tree.by_id.values() if loc.kind == LocationKind.ROOM]
    for entity in Entity.objects.filter(location__isnull=True):
        name = entity.name.casefold()
        room = next((r for r in rooms if r.name.casefold().split()[0] in name), None)
        if room is not None:
            Entity.objects.filter(pk=entity.pk).update(location=room)


def _plan_floor(tree: LocationTree) -> Location | None:
    """The floor with the most rooms (the first in order on a tie)."""
    floors = [loc for loc, _ in tree.walk() if loc.kind == LocationKind.FLOOR and tree.kids(loc)]
    return max(floors, key=lambda f: len(tree.kids(f)), default=None)


def _layout(count: int) -> list[tuple[float, float, float, float]]:
    columns = max(1, math.ceil(math.sqrt(count * WIDTH / HEIGHT)))
    rows = max(1, math.ceil(count / columns))
    margin, w, h = 20.0, (WIDTH - 40.0) / columns, (HEIGHT - 40.0) / rows
    return [(margin + (i % columns) * w, margin + (i // columns) * h, w, h) for i in range(count)]


def _svg(rooms: list[Location], boxes: list[tuple[float, float, float, float]]) -> bytes:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:g} {HEIGHT:g}">',
             f'<rect width="{WIDTH:g}" height="{HEIGHT:g}" fill="#fbfaf7"/>']
    for room, (x, y, w, h) in zip(rooms, boxes, strict=True):
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" fill="#fff" stroke="#444" '
                     'stroke-width="6"/>')
        parts.append(f'<text x="{x + 18:.0f}" y="{y + 40:.0f}" font-family="sans-serif" font-size="26" '
                     f'fill="#555">{escape(room.name)}</text>')
    parts.append("</svg>")
    return "".join(parts).encode()


def _placements(tree: LocationTree, rooms: list[Location],
                boxes: list[tuple[float, float, float, float]]) -> list[dict[str, Any]]:
    room_of: dict[int, int] = {}
    for index, room in enumerate(rooms):
        for place in (room, *tree.descendants(room)):
            room_of[place.pk] = index
    members: dict[int, list[Entity]] = {}
    for entity in Entity.objects.filter(location_id__in=list(room_of)).order_by("name", "id"):
        members.setdefault(room_of[entity.location_id], []).append(entity)
    area_ids = set(EntityState.objects.filter(entity__location_id__in=list(room_of), state_type__in=_AREA_TYPES)
                   .values_list("entity_id", flat=True))
    placed: list[dict[str, Any]] = []
    for index, entities in members.items():
        x, y, w, h = boxes[index]
        area = next((e for e in entities if e.id in area_ids), None)
        if area is not None:
            inset = 14.0
            placed.append({"entity_id": area.id, "shape": "area", "points": [
                [x + inset, y + 56], [x + w - inset, y + 56], [x + w - inset, y + h - inset], [x + inset, y + h - inset]]})
        icons = [e for e in entities if e is not area][:16]
        columns = 4
        for i, entity in enumerate(icons):
            placed.append({"entity_id": entity.id, "shape": "icon", "size": 44,
                           "x": x + w * (0.14 + 0.24 * (i % columns)), "y": y + 90 + (i // columns) * 62})
    return placed


@transaction.atomic
def seed_demo_places() -> dict[str, Any]:
    """Make sure the demo home has places, one plan with its things placed, and a pinned collection."""
    if not Location.objects.exists():
        _default_tree()
    tree = LocationTree.load()
    result: dict[str, Any] = {"places": len(tree.by_id), "plan": None, "collection": None}
    floor = _plan_floor(tree)
    if floor is not None and not FloorPlan.objects.filter(location=floor).exists():
        rooms = tree.kids(floor)[:12]
        boxes = _layout(len(rooms))
        plans.save_plan(floor, _svg(rooms, boxes), fade_seconds=120)
        placed = _placements(tree, rooms, boxes)
        plans.set_placements(floor, placed)
        result["plan"] = {"location": tree.path(floor), "placements": len(placed)}
    if not Collection.objects.exists():
        ids = list(Entity.objects.filter(entity_type__in=_COLLECTION_TYPES).order_by("name", "id")
                   .values_list("id", flat=True)[:50])
        if ids:
            made = collections.create_collection("Doors, locks and covers", pinned=True, entity_ids=ids)
            result["collection"] = {"name": made["name"], "size": len(ids)}
    return result
