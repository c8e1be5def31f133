"""Collections in the UI: list and create, then one page to rename, pin, add, remove and reorder members."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from hi.apps.entity.models import Entity
from hi.apps.places import collections
from hi.apps.places.models import Collection, CollectionView
from hi.apps.places.operations import PlaceError, PlaceNotFound
from hi.apps.web.presentation import entity_icon


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/collections.html", {"rows": collections.list_collections(),
                                                     "views": CollectionView.choices})


@require_POST
def create(request: HttpRequest) -> HttpResponse:
    try:
        row = collections.create_collection(request.POST.get("name", ""), request.POST.get("view") or None,
                                            request.POST.get("pinned") == "on")
    except PlaceError as exc:
        messages.error(request, str(exc))
        return redirect("collections")
    messages.success(request, f"Created “{row['name']}”. Add things to it below.")
    return redirect("collection", collection_id=row["id"])


def detail(request: HttpRequest, collection_id: int) -> HttpResponse:
    collection = get_object_or_404(Collection, pk=collection_id)
    ids = collections.member_ids(collection)
    by_id = {e.id: e for e in Entity.objects.filter(pk__in=ids).only("id", "name", "entity_type")}
    members = [{"id": i, "name": by_id[i].name, "icon": entity_icon(by_id[i].entity_type)} for i in ids if i in by_id]
    others = Entity.objects.exclude(pk__in=ids).only("id", "name").order_by("name", "id")
    return render(request, "web/collection.html", {"collection": collection, "members": members,
                                                    "others": others, "views": CollectionView.choices})


@require_POST
def save(request: HttpRequest, collection_id: int) -> HttpResponse:
    """Name, view, pin and the members' order (comma-separated ids from the reorderable list) in one post."""
    get_object_or_404(Collection, pk=collection_id)
    order = [int(part) for part in request.POST.get("order", "").split(",") if part.strip().isdigit()]
    try:
        collections.update_collection(collection_id, name=request.POST.get("name"),
                                      view=request.POST.get("view") or None, pinned=request.POST.get("pinned") == "on",
                                      entity_ids=order if "order" in request.POST else None)
    except (PlaceError, PlaceNotFound) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Collection saved.")
    return redirect("collection", collection_id=collection_id)


@require_POST
def add(request: HttpRequest, collection_id: int) -> HttpResponse:
    raw = request.POST.get("entity", "")
    try:
        collections.add_to_collection(collection_id, int(raw) if raw.isdigit() else -1)
    except (PlaceError, PlaceNotFound) as exc:
        messages.error(request, str(exc))
    return redirect("collection", collection_id=collection_id)


@require_POST
def remove(request: HttpRequest, collection_id: int, entity_id: int) -> HttpResponse:
    try:
        collections.remove_from_collection(collection_id, entity_id)
    except PlaceNotFound as exc:
        messages.error(request, str(exc))
    return redirect("collection", collection_id=collection_id)


@require_POST
def delete(request: HttpRequest, collection_id: int) -> HttpResponse:
    try:
        result = collections.delete_collection(collection_id)
    except PlaceNotFound as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Deleted “{result['deleted']}”; its things are untouched.")
    return redirect("collections")
