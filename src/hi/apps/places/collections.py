"""Collections: named, ordered groups of entities from any integration ("Doors", "Downstairs lights").

Called by the web UI, the API and the CLI alike; failures raise ``PlaceNotFound`` / ``PlaceError``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Max

from hi.apps.entity.models import Entity

from .models import Collection, CollectionItem, CollectionView
from .operations import PlaceError, PlaceNotFound

MAX_ITEMS = 2000


def collection_json(collection: Collection, entity_ids: list[int] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": collection.pk, "name": collection.name, "view": collection.view,
                            "pinned": collection.pinned, "position": collection.position}
    if entity_ids is not None:
        data["entity_ids"] = entity_ids
    return data


def find_collection(ref: str | int) -> Collection:
    text = str(ref).strip()
    found = (Collection.objects.filter(pk=int(text)).first() if text.isdigit() else None) \
        or Collection.objects.filter(name__iexact=text).first()
    if found is None:
        raise PlaceNotFound(f"no collection {text!r}")
    return found


def member_ids(collection: Collection) -> list[int]:
    return list(CollectionItem.objects.filter(collection=collection).order_by("position", "id")
                .values_list("entity_id", flat=True))


def list_collections() -> list[dict[str, Any]]:
    rows = Collection.objects.annotate(size=Count("items")).order_by("position", "name", "id")
    return [{**collection_json(c), "size": c.size} for c in rows]


def get_collection(ref: str | int) -> dict[str, Any]:
    collection = find_collection(ref)
    return collection_json(collection, member_ids(collection))


def _name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned or len(cleaned) > 100:
        raise PlaceError("a collection needs a name of 1 to 100 characters")
    return cleaned


def _view(view: str | None) -> str:
    if view not in CollectionView.values:
        raise PlaceError(f"view must be one of: {', '.join(CollectionView.values)}")
    return view


@transaction.atomic
def create_collection(name: str, view: str | None = None, pinned: bool = False,
                      entity_ids: list[int] | None = None) -> dict[str, Any]:
    cleaned = _name(name)
    if Collection.objects.filter(name__iexact=cleaned).exists():
        raise PlaceError(f"a collection called {cleaned!r} already exists")
    position = (Collection.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    collection = Collection.objects.create(name=cleaned, view=_view(view or CollectionView.GRID), pinned=bool(pinned),
                                           position=position)
    if entity_ids:
        _set_items(collection, entity_ids)
    return collection_json(collection, member_ids(collection))


@transaction.atomic
def update_collection(ref: str | int, *, name: str | None = None, view: str | None = None,
                      pinned: bool | None = None, position: int | None = None,
                      entity_ids: list[int] | None = None) -> dict[str, Any]:
    """Change what is given; ``entity_ids`` replaces the members and their order."""
    collection = find_collection(ref)
    if name is not None:
        cleaned = _name(name)
        if Collection.objects.filter(name__iexact=cleaned).exclude(pk=collection.pk).exists():
            raise PlaceError(f"a collection called {cleaned!r} already exists")
        collection.name = cleaned
    if view is not None:
        collection.view = _view(view)
    if pinned is not None:
        collection.pinned = bool(pinned)
    if position is not None:
        collection.position = position
    collection.save()
    if entity_ids is not None:
        _set_items(collection, entity_ids)
    return collection_json(collection, member_ids(collection))


def _set_items(collection: Collection, entity_ids: list[int]) -> None:
    if not isinstance(entity_ids, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in entity_ids):
        raise PlaceError("entity_ids must be a list of entity ids")
    if len(entity_ids) > MAX_ITEMS:
        raise PlaceError(f"a collection holds at most {MAX_ITEMS} entities")
    if len(set(entity_ids)) != len(entity_ids):
        raise PlaceError("an entity can be in a collection only once")
    missing = set(entity_ids) - set(Entity.objects.filter(pk__in=entity_ids).values_list("pk", flat=True))
    if missing:
        raise PlaceError(f"no entity with id {', '.join(str(i) for i in sorted(missing))}")
    CollectionItem.objects.filter(collection=collection).delete()
    CollectionItem.objects.bulk_create([CollectionItem(collection=collection, entity_id=entity_id, position=index)
                                        for index, entity_id in enumerate(entity_ids)])


@transaction.atomic
def add_to_collection(ref: str | int, entity_id: int) -> dict[str, Any]:
    collection = find_collection(ref)
    ids = member_ids(collection)
    if entity_id not in ids:
        _set_items(collection, [*ids, entity_id])
    return collection_json(collection, member_ids(collection))


@transaction.atomic
def remove_from_collection(ref: str | int, entity_id: int) -> dict[str, Any]:
    collection = find_collection(ref)
    CollectionItem.objects.filter(collection=collection, entity_id=entity_id).delete()
    return collection_json(collection, member_ids(collection))


@transaction.atomic
def delete_collection(ref: str | int) -> dict[str, Any]:
    collection = find_collection(ref)
    name = collection.name
    collection.delete()
    return {"deleted": name}
