"""What people do with places — create, rename, move, delete, assign an entity, add a thing by hand —
written once and called by the web UI, the REST API and the CLI, so all three behave and fail alike.

Failures raise ``PlaceNotFound`` (a ``LookupError``) or ``PlaceError`` (a ``ValueError``) with a message
a person can act on; nothing is half-written (each operation is one transaction).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Max

from hi.apps.entity.enums import EntityType
from hi.apps.entity.models import Entity

from .models import Location, LocationKind
from .tree import LocationTree, clean_segments, name_key


class PlaceNotFound(LookupError):
    """No place (or entity) matches what was asked for."""


class PlaceError(ValueError):
    """The request cannot be carried out as asked; the message says why."""


def location_json(location: Location, tree: LocationTree, counts: dict[int, int] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": location.pk, "name": location.name, "path": tree.path(location), "kind": location.kind,
        "parent_id": location.parent_id, "position": location.position,
    }
    if counts is not None:
        data["entity_count"] = counts.get(location.pk, 0)
    return data


def list_locations() -> list[dict[str, Any]]:
    """Every place in tree order, with its depth and how many entities are in it (two queries)."""
    tree = LocationTree.load()
    counts = dict(Entity.objects.filter(location__isnull=False).values_list("location").annotate(n=Count("id"))
                  .order_by())
    return [{**location_json(location, tree, counts), "depth": depth} for location, depth in tree.walk()]


def find_location(ref: str | int, tree: LocationTree | None = None) -> Location:
    """A place by id, by path ("Home / Ground floor / Kitchen", or its last parts) or by unique name."""
    tree = tree or LocationTree.load()
    text = str(ref).strip()
    if text.isdigit():
        location = tree.by_id.get(int(text))
        if location is None:
            raise PlaceNotFound(f"no place with id {text}")
        return location
    if not clean_segments(text):
        raise PlaceError("give a place id, name or path")
    matches = tree.by_path(text)
    if not matches:
        raise PlaceNotFound(f"no place called {text!r}; see 'hi places list'")
    if len(matches) > 1:
        paths = "; ".join(tree.path(m) for m in matches)
        raise PlaceError(f"{text!r} is ambiguous ({paths}); give the path or the id")
    return matches[0]


def _check_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise PlaceError("a place needs a name")
    if len(cleaned) > 100 or "/" in cleaned:
        raise PlaceError("a place name is at most 100 characters and has no '/' (it separates paths)")
    return cleaned


def _check_sibling_name(tree: LocationTree, parent: Location | None, name: str, me: Location | None = None) -> None:
    clash = next((c for c in tree.kids(parent) if name_key(c.name) == name_key(name) and c is not me), None)
    if clash is not None:
        raise PlaceError(f"{tree.path(clash)!r} already exists")


def _kind(kind: str | None, parent: Location | None, tree: LocationTree) -> str:
    if kind:
        if kind not in LocationKind.values:
            raise PlaceError(f"kind must be one of: {', '.join(LocationKind.values)}")
        return kind
    if parent is None:
        return LocationKind.HOME if not tree.kids(None) else LocationKind.AREA
    return LocationKind.FLOOR if tree.parent_of(parent) is None else LocationKind.ROOM


@transaction.atomic
def create_location(name: str, parent: str | int | None = None, kind: str | None = None,
                    position: int | None = None) -> dict[str, Any]:
    tree = LocationTree.load()
    cleaned = _check_name(name)
    parent_row = find_location(parent, tree) if parent not in (None, "") else None
    _check_sibling_name(tree, parent_row, cleaned)
    if position is None:
        position = (Location.objects.filter(parent=parent_row).aggregate(m=Max("position"))["m"] or 0) + 1
    location = Location.objects.create(name=cleaned, parent=parent_row, kind=_kind(kind, parent_row, tree),
                                       position=position)
    tree.add(location)
    return location_json(location, tree)


def get_location(ref: str | int) -> dict[str, Any]:
    tree = LocationTree.load()
    return location_json(find_location(ref, tree), tree)


_UNSET: Any = object()


@transaction.atomic
def update_location(ref: str | int, *, name: str | None = None, parent: Any = _UNSET, kind: str | None = None,
                    position: int | None = None) -> dict[str, Any]:
    """Rename, move (``parent`` None = top level) or reorder a place; moving under itself is refused."""
    tree = LocationTree.load()
    location = find_location(ref, tree)
    new_parent = tree.parent_of(location)
    if parent is not _UNSET:
        new_parent = find_location(parent, tree) if parent not in (None, "") else None
        if new_parent is not None and any(node is location for node in tree.ancestors(new_parent)):
            raise PlaceError(f"cannot move {location.name!r} inside itself")
    new_name = _check_name(name) if name is not None else location.name
    _check_sibling_name(tree, new_parent, new_name, me=location)
    location.name, location.parent = new_name, new_parent
    if kind is not None:
        location.kind = _kind(kind, new_parent, tree)
    if position is not None:
        location.position = position
    location.save()
    return location_json(location, LocationTree.load())


@transaction.atomic
def delete_location(ref: str | int) -> dict[str, Any]:
    """Delete one place: its entities become room-less (never deleted), its children move up a level."""
    tree = LocationTree.load()
    location = find_location(ref, tree)
    parent = tree.parent_of(location)
    for child in tree.kids(location):
        _check_sibling_name(tree, parent, child.name, me=location)
    unassigned = Entity.objects.filter(location=location).update(location=None)
    Location.objects.filter(parent=location).update(parent=parent)
    location.delete()
    return {"deleted": location.name, "entities_unassigned": unassigned}


def _entity(ref: str | int | Entity) -> Entity:
    if isinstance(ref, Entity):
        return ref
    from hi.integrations.keys import IntegrationKey

    text = str(ref).strip()
    if text.isdigit():
        entity = Entity.objects.filter(pk=int(text)).first()
    else:
        try:
            key = IntegrationKey.parse(text)
        except ValueError:
            key = None
        entity = (Entity.objects.filter(integration_id=key.integration_id,
                                        integration_name=key.integration_name).first() if key else None)
        if entity is None and key is not None:
            entity = Entity.objects.filter(detached_key=text).first()
        if entity is None:
            named = list(Entity.objects.filter(name__iexact=text)[:2])
            if len(named) > 1:
                raise PlaceError(f"several entities are called {text!r}; give the id or the key")
            entity = named[0] if named else None
    if entity is None:
        raise PlaceNotFound(f"no entity {text!r}")
    return entity


@transaction.atomic
def assign(entity_ref: str | int | Entity, location_ref: str | int | None) -> Entity:
    """Put an entity in a place (None: no place). A person's choice: syncs never change it again."""
    entity = _entity(entity_ref)
    entity.location = find_location(location_ref) if location_ref not in (None, "") else None
    entity.mark_user_field("location")
    entity.save(update_fields=["location", "user_fields", "updated_at"])
    return entity


@transaction.atomic
def create_entity(name: str, entity_type: str, room: str | int | None = None) -> Entity:
    """A thing added by hand: no integration, so no sync ever removes or changes it."""
    cleaned = " ".join((name or "").split())
    if not cleaned or len(cleaned) > 200:
        raise PlaceError("an entity needs a name of 1 to 200 characters")
    if entity_type not in EntityType.values:
        raise PlaceError(f"type must be one of: {', '.join(EntityType.values)}")
    location = find_location(room) if room not in (None, "") else None
    return Entity.objects.create(name=cleaned, entity_type=entity_type, location=location,
                                 user_fields=["name", "entity_type", "location"])


def is_manual(entity: Entity) -> bool:
    """Added by hand: no integration key, live or remembered."""
    return entity.integration_id is None and not entity.detached_key


@transaction.atomic
def link_manual(manual_ref: str | int | Entity, target_ref: str | int | Entity) -> Entity:
    """Merge a thing added by hand into an integration's entity: its attributes and files, its place (unless a
    person already chose one for the target), its plan positions and its collections move over; the
    hand-made row goes. Nothing the person made is lost."""
    from hi.apps.entity.models import EntityAttribute

    from .models import CollectionItem, Placement

    manual, target = _entity(manual_ref), _entity(target_ref)
    if not is_manual(manual):
        raise PlaceError(f"{manual.name!r} was not added by hand")
    if target.pk == manual.pk or is_manual(target):
        raise PlaceError("link it to an entity that comes from an integration")
    EntityAttribute.objects.filter(entity=manual).update(entity=target)
    if manual.location_id is not None and "location" not in target.user_fields:
        target.location_id = manual.location_id
        target.mark_user_field("location")
        target.save(update_fields=["location", "user_fields", "updated_at"])
    taken = set(Placement.objects.filter(entity=target).values_list("plan_id", flat=True))
    Placement.objects.filter(entity=manual).exclude(plan_id__in=taken).update(entity=target)
    taken = set(CollectionItem.objects.filter(entity=target).values_list("collection_id", flat=True))
    CollectionItem.objects.filter(entity=manual).exclude(collection_id__in=taken).update(entity=target)
    manual.delete()
    return target
