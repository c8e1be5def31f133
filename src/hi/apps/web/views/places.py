"""Places in the UI: the place tree, floor plans (view with live state, edit, kiosk), the tap panel.

A plan page costs a fixed handful of queries however many things are placed on it: the tree, the plan,
its placements with their entities, their states and those states' controllers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET, require_POST

from hi.apps.entity.availability import AVAILABLE, Availability, AvailabilityIndex
from hi.apps.entity.enums import EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityState
from hi.apps.places import operations, plans
from hi.apps.places.models import FloorPlan, Location, Placement
from hi.apps.places.tree import LocationTree
from hi.apps.web.presentation import entity_icon
from hi.apps.web.views.entity import state_rows
from hi.apps.web.widgets import live_state_html, value_text
from hi.utils.numbers import NonFiniteNumber, loads_finite

S = EntityStateType
KIOSK_SESSION_SECONDS = 365 * 24 * 3600
# What colours a thing on the plan, strongest first: alarms, then activity, then lights.
_MEANINGS: tuple[tuple[str, frozenset[str]], ...] = (
    ("alarm", frozenset({S.SMOKE, S.MOISTURE, S.CO, S.GAS})),
    ("activity", frozenset({S.MOVEMENT, S.PRESENCE, S.OPEN_CLOSE})),
    ("light", frozenset({S.ON_OFF, S.LIGHT_DIMMER})),
)


@dataclass
class PlacedThing:
    """One placement as the templates draw it, in percentages of the plan and the plan's own units."""

    placement: Placement
    entity: Entity
    icon: str
    meaning: str
    state: EntityState | None
    level_state: EntityState | None
    left: float
    top: float
    width: float
    points: str
    availability: Availability = AVAILABLE


def primary_state(states: list[EntityState]) -> tuple[str, EntityState | None, EntityState | None]:
    """(meaning, the state that colours it, a dimmer state for a light's brightness)."""
    for meaning, types in _MEANINGS:
        for state in states:
            if state.state_type in types:
                level = next((s for s in states if s.state_type == S.LIGHT_DIMMER), None) if meaning == "light" else None
                return meaning, state, level
    return "other", (states[0] if states else None), None


def placed_things(plan: FloorPlan) -> list[PlacedThing]:
    """Two queries: the placements with their entities, then all their states (grouped here, not by a
    prefetch, which clones a queryset per placement)."""
    rows = list(Placement.objects.filter(plan=plan).select_related("entity")
                .only("id", "plan_id", "shape", "x", "y", "size", "rotation", "points",
                      "entity__id", "entity__name", "entity__entity_type", "entity__integration_id",
                      "entity__detached_key").order_by("id"))
    by_entity: dict[int, list[EntityState]] = {}
    for state in (EntityState.objects.filter(entity_id__in=[row.entity_id for row in rows])
                  .only("id", "entity_id", "name", "state_type", "value", "units", "value_range", "value_updated_at")
                  .order_by("entity_id", "id")):
        by_entity.setdefault(state.entity_id, []).append(state)
    default_size = max(plan.width, plan.height) * 0.04
    index = AvailabilityIndex()  # one query: greyed things say why (app.js keeps it live)
    things = []
    for placement in rows:
        entity = placement.entity
        meaning, state, level = primary_state(by_entity.get(entity.id, []))
        size = placement.size or default_size
        things.append(PlacedThing(
            placement=placement, entity=entity, icon=entity_icon(entity.entity_type), meaning=meaning, state=state,
            level_state=level, left=100.0 * placement.x / plan.width, top=100.0 * placement.y / plan.height,
            width=100.0 * size / plan.width,
            points=" ".join(f"{x:g},{y:g}" for x, y in placement.points), availability=index.of_entity(entity)))
    return things


def _availability_attrs(thing: PlacedThing) -> tuple[str, SafeString]:
    """(extra classes, attributes): an unavailable or stale thing is greyed, and its title says why."""
    entity, availability = thing.entity, thing.availability
    marker = format_html(' data-integration="{}"', entity.integration_id) if entity.integration_id else SafeString("")
    if availability.current:
        return "", marker
    css = " is-unavailable" if not availability.available else " is-stale"
    return css, marker


def _title(thing: PlacedThing) -> str:
    reason = thing.availability.reason
    return f"{thing.entity.name}: {reason}" if reason and not thing.availability.current else thing.entity.name


def _state_attrs(thing: PlacedThing) -> SafeString:
    attrs = SafeString("")
    if thing.state is not None:
        updated = int(thing.state.value_updated_at.timestamp()) if thing.state.value_updated_at else ""
        attrs += format_html(' data-state-id="{}" data-value="{}" data-updated="{}"', thing.state.id,
                             value_text(thing.state.value), updated)
    if thing.level_state is not None:
        attrs += format_html(' data-level-state-id="{}" data-level="{}"', thing.level_state.id,
                             value_text(thing.level_state.value))
    return attrs


def things_html(things: list[PlacedThing]) -> tuple[SafeString, SafeString, SafeString]:
    """(SVG areas, icon buttons, hidden live badges) built in Python: a plan shows hundreds of things, and
    one format_html each is several times cheaper than a template loop."""
    areas, icons = [], []
    for t in things:
        css, marker = _availability_attrs(t)
        if t.placement.shape == "area":
            areas.append(format_html(
                '<polygon class="plan-thing plan-area meaning-{}{}" points="{}" tabindex="0" role="button" '
                'aria-label="{}" data-entity-id="{}" data-meaning="{}"{}{}><title>{}</title></polygon>',
                t.meaning, css, t.points, _title(t), t.entity.id, t.meaning, marker, _state_attrs(t), _title(t)))
        else:
            icons.append(format_html(
                '<button type="button" class="plan-thing plan-icon meaning-{}{}" title="{}" aria-label="{}" '
                'style="left: {}%; top: {}%; width: {}%; --rotation: {}deg" data-entity-id="{}" '
                'data-meaning="{}"{}{}><i class="bi bi-{}"></i></button>',
                t.meaning, css, _title(t), _title(t), f"{t.left:.4f}", f"{t.top:.4f}", f"{t.width:.4f}",
                f"{t.placement.rotation:g}", t.entity.id,
                t.meaning, marker, _state_attrs(t), t.icon))
    states = {s.id: s for t in things for s in (t.state, t.level_state) if s is not None}
    live = [live_state_html(state) for state in states.values()]
    return SafeString("".join(areas)), SafeString("".join(icons)), SafeString("".join(live))


def index(request: HttpRequest) -> HttpResponse:
    tree = LocationTree.load()
    with_plans = set(FloorPlan.objects.values_list("location_id", flat=True))
    rows = [{"location": location, "depth": depth, "path": tree.path(location), "has_plan": location.pk in with_plans}
            for location, depth in tree.walk()]
    return render(request, "web/places.html", {"rows": rows, "entity_types": EntityType.choices})


@require_POST
def add(request: HttpRequest) -> HttpResponse:
    try:
        row = operations.create_location(request.POST.get("name", ""), request.POST.get("parent") or None)
    except (operations.PlaceError, operations.PlaceNotFound) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Added {row['path']}.")
    return redirect("places")


@require_POST
def edit(request: HttpRequest, location_id: int) -> HttpResponse:
    """Rename, move (another parent) or reorder (a position among its siblings) one place."""
    get_object_or_404(Location, pk=location_id)
    raw_position = request.POST.get("position", "").strip()
    try:
        row = operations.update_location(
            location_id, name=request.POST.get("name"), parent=request.POST.get("parent") or None,
            position=int(raw_position) if raw_position.lstrip("-").isdigit() else None)
    except (operations.PlaceError, operations.PlaceNotFound) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Saved {row['path']}.")
    return redirect("places")


@require_POST
def delete(request: HttpRequest, location_id: int) -> HttpResponse:
    try:
        result = operations.delete_location(location_id)
    except (operations.PlaceError, operations.PlaceNotFound) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Deleted {result['deleted']}; {result['entities_unassigned']} thing(s) in it now "
                                  "have no place, and what was inside it moved up a level.")
    return redirect("places")


@require_POST
def add_thing(request: HttpRequest) -> HttpResponse:
    """A thing added by hand (an appliance, a shut-off valve): no integration, never removed by a sync."""
    try:
        entity = operations.create_entity(request.POST.get("name", ""), request.POST.get("entity_type", ""),
                                          request.POST.get("location") or None)
    except (operations.PlaceError, operations.PlaceNotFound) as exc:
        messages.error(request, str(exc))
        return redirect("places")
    messages.success(request, f"Added “{entity.name}”. Add notes, files or a manual below; no sync will remove it.")
    return redirect("entity", entity_id=entity.id)


@require_POST
def link(request: HttpRequest, entity_id: int) -> HttpResponse:
    """Merge a hand-made thing into the integration's entity it turned out to be."""
    manual = get_object_or_404(Entity, pk=entity_id)
    raw = request.POST.get("target", "")
    try:
        target = operations.link_manual(manual, int(raw) if raw.isdigit() else raw)
    except (operations.PlaceError, operations.PlaceNotFound) as exc:
        messages.error(request, str(exc))
        return redirect("entity", entity_id=manual.id)
    messages.success(request, f"“{manual.name}” is now part of “{target.name}”: its notes, files and place moved here.")
    return redirect("entity", entity_id=target.id)


@require_POST
def assign(request: HttpRequest, entity_id: int) -> HttpResponse:
    """The entity page's room picker: a person's choice, which syncs keep."""
    entity = get_object_or_404(Entity, pk=entity_id)
    try:
        operations.assign(entity, request.POST.get("location") or None)
    except (operations.PlaceError, operations.PlaceNotFound) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Place saved. Syncs will keep it.")
    return redirect("entity", entity_id=entity.id)


def _plan_context(location: Location, plan: FloorPlan) -> dict[str, Any]:
    areas, icons, live = things_html(placed_things(plan))
    return {"location": location, "plan": plan, "areas_html": areas, "icons_html": icons, "live_html": live,
            "path": LocationTree.load().path(location), "version": int(plan.updated_at.timestamp()),
            "ratio": plan.width / plan.height}


def plan_view(request: HttpRequest, location_id: int) -> HttpResponse:
    location = get_object_or_404(Location, pk=location_id)
    plan = FloorPlan.objects.filter(location=location).defer("data").first()
    if plan is None:
        return redirect("plan-edit", location_id=location.pk)
    return render(request, "web/plan.html", _plan_context(location, plan))


def plan_kiosk(request: HttpRequest, location_id: int) -> HttpResponse:
    """The wall-tablet view: no navigation, and a long session so the tablet stays signed in."""
    location = get_object_or_404(Location, pk=location_id)
    plan = get_object_or_404(FloorPlan.objects.defer("data"), location=location)
    request.session.set_expiry(KIOSK_SESSION_SECONDS)
    context = _plan_context(location, plan)
    context["idle_seconds"] = _bounded(request.GET.get("idle"), 120, 5, 3600)
    return render(request, "web/plan_kiosk.html", context)


def _bounded(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        return min(max(int(raw or default), low), high)
    except ValueError:
        return default


def plan_edit(request: HttpRequest, location_id: int) -> HttpResponse:
    location = get_object_or_404(Location, pk=location_id)
    plan = FloorPlan.objects.filter(location=location).defer("data").first()
    tree = LocationTree.load()
    here = {location.pk} | {d.pk for d in tree.descendants(location)}
    entities = list(Entity.objects.only("id", "name", "entity_type", "location_id").order_by("name", "id"))
    entities.sort(key=lambda e: (e.location_id not in here, e.name.casefold()))
    placements = [plans.placement_json(p) for p in plan.placements.order_by("id")] if plan else []
    return render(request, "web/plan_edit.html", {
        "location": location, "plan": plan, "path": tree.path(location),
        "entities": [{"id": e.id, "name": e.name, "icon": entity_icon(e.entity_type), "here": e.location_id in here}
                     for e in entities],
        "placements": placements,
        "version": int(plan.updated_at.timestamp()) if plan else 0,
        "ratio": plan.width / plan.height if plan else 1.6,
    })


@require_POST
def plan_upload(request: HttpRequest, location_id: int) -> HttpResponse:
    location = get_object_or_404(Location, pk=location_id)
    upload = request.FILES.get("plan")
    if upload is None:
        messages.error(request, "Choose an SVG, PNG or JPEG file first.")
        return redirect("plan-edit", location_id=location.pk)
    if upload.size > plans.MAX_PLAN_BYTES:
        messages.error(request, "The file is larger than 10 MB.")
        return redirect("plan-edit", location_id=location.pk)
    try:
        plans.save_plan(location, upload.read(), request.POST.get("fade_seconds") or None)
    except plans.PlanError as exc:
        messages.error(request, f"The plan was not saved: {exc}.")
    else:
        messages.success(request, "Plan saved. Drag things onto it, then save the placements.")
    return redirect("plan-edit", location_id=location.pk)


@require_POST
def plan_placements(request: HttpRequest, location_id: int) -> JsonResponse:
    """The editor saves every placement at once (JSON); all or nothing."""
    location = get_object_or_404(Location, pk=location_id)
    try:
        body = loads_finite(request.body or b"{}")
        plan = plans.set_placements(location, body.get("placements"), body.get("fade_seconds"))
    except (ValueError, AttributeError) as exc:  # PlanError, PlaceNotFound-free JSON problems
        return JsonResponse({"detail": str(exc) if isinstance(exc, plans.PlanError | NonFiniteNumber) else "not valid JSON"},
                            status=400)
    except operations.PlaceNotFound as exc:
        return JsonResponse({"detail": str(exc)}, status=404)
    return JsonResponse({"saved": plan.placements.count(), "view_url": reverse("plan", args=[location.pk])})


@require_GET
def plan_image(request: HttpRequest, location_id: int) -> HttpResponse:
    return plans.image_response(get_object_or_404(FloorPlan, location_id=location_id))


@require_GET
def entity_panel(request: HttpRequest, entity_id: int) -> HttpResponse:
    """What tapping a thing on the plan opens: its states with the same controls as the entity page."""
    entity = get_object_or_404(Entity.objects.prefetch_related(
        Prefetch("states", queryset=EntityState.objects.prefetch_related("controllers", "sensors"))), pk=entity_id)
    index = AvailabilityIndex()
    rows = state_rows(entity, index)  # controls of what is unavailable are off, with the reason
    camera = None
    if entity.entity_type == EntityType.CAMERA:
        from hi.apps.web.views.pages import _camera_urls

        camera = _camera_urls(entity)
    return render(request, "web/partials/entity_panel.html", {"entity": entity, "rows": rows, "camera": camera,
                                                              "availability": index.of_entity(entity),
                                                              "now": dt.datetime.now(dt.UTC)})

