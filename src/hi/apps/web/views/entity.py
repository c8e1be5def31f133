"""The entity page: states with their controls, history charts, events, provenance and renaming."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from hi.apps.control.models import ControlCode, Controller, ControllerHistory, ControlOutcome
from hi.apps.entity.availability import AvailabilityIndex
from hi.apps.entity.enums import EntityStateType, EntityType, binary_values, is_numeric
from hi.apps.entity.models import Entity, EntityState
from hi.apps.event.models import Event
from hi.apps.ops.series import aggregated_series, use_aggregates
from hi.apps.places.tree import LocationTree
from hi.apps.sense.models import SensorHistory
from hi.apps.web.cards import camera_urls, integration_label
from hi.apps.web.forms import AttributeForm, RenameForm
from hi.apps.web.presentation import control_spec, short_label, wall_clock
from hi.integrations import integration_factory
from hi.integrations.exceptions import IntegrationError
from hi.operations import actions

PERIODS: dict[str, dt.timedelta] = {
    "1h": dt.timedelta(hours=1), "6h": dt.timedelta(hours=6), "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7), "30d": dt.timedelta(days=30), "90d": dt.timedelta(days=90),
    "1y": dt.timedelta(days=365),
}
MAX_CHART_POINTS = 2000
FINAL_OUTCOMES = {ControlOutcome.CONFIRMED, ControlOutcome.UNCONFIRMED, ControlOutcome.FAILED}


def _needs_code(controller: Controller | None) -> bool:
    """The owning gateway says whether this control takes a typed code (the page reads no payload)."""
    if controller is None or controller.integration_id not in integration_factory.available_integration_ids():
        return False
    return integration_factory.get_gateway(controller.integration_id).control_needs_code(controller)


def state_rows(entity: Entity, index: AvailabilityIndex) -> list[dict[str, Any]]:
    """Each state with its control, whether that control is off (and why) and whether it asks for a code;
    the entity page and a plan's tap panel show the same (``partials/state_control.html``)."""
    rows = []
    stored = set(ControlCode.objects.filter(controller__entity_state__entity=entity)
                 .values_list("controller_id", flat=True))
    for state in entity.states.all():
        controllers = list(state.controllers.all())
        availability = index.of_state(entity, state)
        controller = controllers[0] if controllers else None
        rows.append({
            "state": state,
            "label": short_label(state.name, entity.name) or state.name,
            "availability": availability,
            "disabled_reason": "" if availability.available else availability.reason,
            # an integration's outage is lifted live; a value the source calls unavailable waits for a new one
            "reason_attribute": "data-integration-reason" if not index.of_entity(entity).available
            else "data-disabled-reason",
            "controller": controller,
            # a panel with a code format asks for its code unless one is stored (never rendered back)
            "needs_code": _needs_code(controller),
            "code_stored": controller is not None and controller.pk in stored,
            "control": control_spec(state.state_type, state.value_range, state.units) if controllers else None,
            "chartable": is_numeric(state.state_type) or binary_values(state.state_type) is not None,
            "sensors": list(state.sensors.all()),
        })
    return rows


def detail(request: HttpRequest, entity_id: int) -> HttpResponse:
    entity = get_object_or_404(
        Entity.objects.prefetch_related(
            Prefetch("states", queryset=EntityState.objects.prefetch_related("controllers", "sensors")),
            "attributes"),
        pk=entity_id)
    events = list(Event.objects.filter(entity=entity).select_related("entity_state")[:50])
    tree = LocationTree.load()
    recent_controls = list(ControllerHistory.objects.filter(controller__entity_state__entity=entity)
                           .select_related("controller")[:10])
    index = AvailabilityIndex()
    context = {
        "entity": entity,
        "rows": state_rows(entity, index),
        "availability": index.of_entity(entity),
        "integration_label": integration_label(entity.integration_id or entity.detached_key.split(":", 1)[0]),
        "media": camera_urls([entity]).get(entity.id, {}) if entity.entity_type == EntityType.CAMERA else {},
        "events": events,
        "recent_controls": recent_controls,
        "attributes": list(entity.attributes.all()),
        "attribute_form": AttributeForm(),
        "rename_form": RenameForm(initial={"name": entity.name}),
        "places": [(location.pk, tree.path(location)) for location, _ in tree.walk()],
        "place_path": tree.path(entity.location_id),
        "manual": entity.integration_id is None and not entity.detached_key,
        "link_targets": (Entity.objects.filter(integration_id__isnull=False).only("id", "name", "integration_id")
                         .order_by("name", "id")) if entity.integration_id is None and not entity.detached_key else (),
        "periods": list(PERIODS),
        "period": request.GET.get("period", "24h") if request.GET.get("period") in PERIODS else "24h",
    }
    return render(request, "web/entity.html", context)


@require_POST
def rename(request: HttpRequest, entity_id: int) -> HttpResponse:
    """A person's name wins over the integration's: the field is marked user-owned."""
    entity = get_object_or_404(Entity, pk=entity_id)
    form = RenameForm(request.POST)
    if form.is_valid():
        entity.name = form.cleaned_data["name"]
        entity.mark_user_field("name")
        entity.save(update_fields=["name", "user_fields", "updated_at"])
        messages.success(request, f"Renamed to “{entity.name}”. Syncs will keep this name.")
    else:
        messages.error(request, "The name " + "; ".join(form.errors.get("name", ["is not valid"])))
    return redirect("entity", entity_id=entity.id)


def _coerce(raw: str) -> Any:
    """Form posts are text; numbers go to the dispatcher as numbers."""
    for kind in (int, float):
        try:
            return kind(raw)
        except ValueError:
            continue
    return raw


@require_POST
def control(request: HttpRequest, controller_id: int) -> HttpResponse:
    """Send a value through the operations layer and answer with its (polling) status fragment."""
    controller = get_object_or_404(Controller.objects.select_related("entity_state"), pk=controller_id)
    raw = request.POST.get("value", "")
    code = request.POST.get("code", "").strip() or None
    value: Any = raw if controller.entity_state.state_type == EntityStateType.TEXT else _coerce(raw.strip())
    try:
        record = actions.control(controller, value, f"web:{request.user.get_username()}", code=code)
    except (IntegrationError, ValueError, TypeError) as exc:  # BadInput is a ValueError
        message = getattr(exc, "message", None) or str(exc)
        return render(request, "web/partials/control_status.html", {"error": message, "controller": controller})
    return render(request, "web/partials/control_status.html", {"record": record, "controller": controller,
                                                                 "integration_label": integration_label(
                                                                     controller.integration_id) or "The device",
                                                                 "final": record.outcome in FINAL_OUTCOMES})


@require_POST
def control_code(request: HttpRequest, controller_id: int) -> HttpResponse:
    """Keep (or forget) the code for one controller, so the page does not ask for it each time."""
    controller = get_object_or_404(Controller.objects.select_related("entity_state"), pk=controller_id)
    code = request.POST.get("code", "").strip()
    if request.POST.get("forget") or not code:
        ControlCode.objects.filter(controller=controller).delete()
        messages.success(request, f"The code for {controller.name} is no longer stored.")
    else:
        ControlCode.objects.update_or_create(controller=controller, defaults={"code": code[:128]})
        messages.success(request, f"The code for {controller.name} is stored; it is never shown again.")
    return redirect("entity", entity_id=controller.entity_state.entity_id)


@require_GET
def control_status(request: HttpRequest, request_id: int) -> HttpResponse:
    record = get_object_or_404(ControllerHistory.objects.select_related("controller"), pk=request_id)
    response = render(request, "web/partials/control_status.html", {
        "record": record, "controller": record.controller, "final": record.outcome in FINAL_OUTCOMES,
        "integration_label": integration_label(record.controller.integration_id) or "The device"})
    return response


def _chart_value(state: EntityState, value: Any) -> float | None:
    pair = binary_values(state.state_type)
    if pair is not None:
        return 1.0 if str(value).lower() == pair[0] else 0.0
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@require_GET
def history_json(request: HttpRequest, entity_id: int) -> JsonResponse:
    """Points of one state over a period, for Chart.js; capped so a busy sensor cannot flood the page."""
    try:
        state_id = int(request.GET.get("state", ""))
    except ValueError as exc:
        raise Http404("no such state") from exc
    state = get_object_or_404(EntityState, pk=state_id, entity_id=entity_id)
    period = PERIODS.get(request.GET.get("period", "24h"), PERIODS["24h"])
    since = timezone.now() - period
    if binary_values(state.state_type) is None and use_aggregates(since, timezone.now()):
        return _aggregated_history(state, since)
    rows = list(SensorHistory.objects.filter(sensor__entity_state=state, response_at__gte=since)
                .order_by("-response_at").values_list("response_at", "value")[:MAX_CHART_POINTS])
    rows.reverse()
    before = (SensorHistory.objects.filter(sensor__entity_state=state, response_at__lt=since)
              .order_by("-response_at").values_list("value", flat=True).first())
    if before is not None:
        rows.insert(0, (since, before))  # where the line stood when the period began
    points = [{"x": wall_clock(at), "y": y} for at, value in rows if (y := _chart_value(state, value)) is not None]
    pair = binary_values(state.state_type)
    now = timezone.now()
    if points and (current := _chart_value(state, state.value)) is not None:
        points.append({"x": wall_clock(now), "y": current})  # the line runs up to the present value
    return JsonResponse({
        "since": wall_clock(since), "until": wall_clock(now),
        "label": state.name, "units": state.units, "points": points, "stepped": pair is not None,
        "labels": {"1": pair[0], "0": pair[1]} if pair else None, "truncated": len(rows) == MAX_CHART_POINTS,
    })


def _aggregated_history(state: EntityState, since: dt.datetime) -> JsonResponse:
    """Long ranges of numeric states: hourly aggregates merged into at most MAX_CHART_POINTS buckets."""
    now = timezone.now()
    buckets = aggregated_series(state.id, since, now, MAX_CHART_POINTS)
    points = [{"x": wall_clock(b.at), "y": b.mean, "min": b.minimum, "max": b.maximum} for b in buckets]
    if points and (current := _chart_value(state, state.value)) is not None:
        points.append({"x": wall_clock(now), "y": current})
    return JsonResponse({
        "since": wall_clock(since), "until": wall_clock(now), "label": state.name, "units": state.units,
        "points": points, "stepped": False, "labels": None, "truncated": False, "aggregated": True,
    })
