"""Alerts (list, one alert, acknowledge) and the security-mode switch in every page's header."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from hi.apps.alarm import alerts as alert_ops
from hi.apps.alarm import modes
from hi.apps.alarm.enums import AlertStatus
from hi.apps.alarm.models import AlertSnapshot
from hi.apps.entity.models import Entity, EntityState
from hi.apps.event.models import Event
from hi.apps.household.timezones import local_text
from hi.apps.web.context_processors import alarm_banner

from .pages import _camera_urls

PAST_PAGE_SIZE = 50


def _next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else default


def _who(request: HttpRequest) -> str:
    return f"user:{request.user.get_username()}"


def banner_html(banner: dict[str, Any] | None = None) -> str:
    """The banner's inner HTML as the live stream sends it (no request: forms post through htmx)."""
    return render_to_string("web/alarm/_banner_inner.html", {"banner": banner or alarm_banner()})


def alerts(request: HttpRequest) -> HttpResponse:
    open_alerts = list(alert_ops.alerts_query().filter(status=AlertStatus.OPEN))
    past = Paginator(alert_ops.alerts_query().exclude(status=AlertStatus.OPEN), PAST_PAGE_SIZE)
    page = past.get_page(request.GET.get("page"))
    return render(request, "web/alarm/alerts.html", {"open_alerts": open_alerts, "page": page})


def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    item = get_object_or_404(alert_ops.alerts_query().select_related("camera_entity"), pk=alert_id)
    entities = list(item.entities.all())
    states = list(EntityState.objects.filter(entity__in=entities).select_related("entity").order_by("entity__name",
                                                                                                      "id"))
    events = list(Event.objects.filter(pk__in=item.event_ids).select_related("entity", "entity_state")
                  .order_by("-start"))
    camera: dict[str, Any] | None = None
    if item.camera_entity_id:
        camera_entity = Entity.objects.prefetch_related("attributes").get(pk=item.camera_entity_id)
        camera = {"entity": camera_entity, "urls": _camera_urls(camera_entity)}
    snapshot = AlertSnapshot.objects.filter(alert=item).only("taken_at", "source").first()
    return render(request, "web/alarm/alert.html", {
        "alert": item, "states": states, "events": events, "camera": camera, "snapshot": snapshot,
        "alarms": list(item.alarms.all()[:100]), "deliveries": list(item.deliveries.all())})


@require_GET
def snapshot(request: HttpRequest, alert_id: int) -> HttpResponse:
    """The camera's picture stored when the alert opened (bytes from our database, never the device)."""
    stored = get_object_or_404(AlertSnapshot, alert_id=alert_id)
    response = HttpResponse(bytes(stored.data), content_type=stored.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
def ack(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        alert_ops.acknowledge(alert_id, _who(request), request.POST.get("note", ""))
    except alert_ops.AlertNotFound:
        return HttpResponse(status=404)
    except alert_ops.AlertError as exc:
        if request.htmx:
            return HttpResponse(banner_html())
        messages.warning(request, str(exc))
        return redirect(_next(request, "/alerts/"))
    if request.htmx:
        return HttpResponse(banner_html())
    messages.success(request, f"Alert {alert_id} acknowledged.")
    return redirect(_next(request, "/alerts/"))


def security(request: HttpRequest) -> HttpResponse:
    """The mode in full: snooze, the exit delay, the day/night schedule, and who changed what when."""
    if request.method == "POST":
        try:
            modes.configure(_who(request), exit_delay_seconds=request.POST.get("exit_delay_seconds", "0") or "0",
                            schedule_enabled=bool(request.POST.get("schedule_enabled")),
                            day_starts=request.POST.get("day_starts", ""),
                            night_starts=request.POST.get("night_starts", ""))
        except modes.ModeError as exc:
            messages.error(request, str(exc))
            return render(request, "web/alarm/security.html", _security_context(request.POST), status=400)
        messages.success(request, "Security settings saved.")
        return redirect("security")
    return render(request, "web/alarm/security.html", _security_context())


def _security_context(posted: Any = None) -> dict[str, Any]:
    current = modes.mode_json()
    schedule = current["schedule"]
    form = {"exit_delay_seconds": current["exit_delay_seconds"], "schedule_enabled": schedule["enabled"],
            "day_starts": schedule["day_starts"] or "", "night_starts": schedule["night_starts"] or ""}
    if posted is not None:
        form = {"exit_delay_seconds": posted.get("exit_delay_seconds", ""),
                "schedule_enabled": bool(posted.get("schedule_enabled")),
                "day_starts": posted.get("day_starts", ""), "night_starts": posted.get("night_starts", "")}
    times = {name: _local(current[name]) for name in ("pending_at", "revert_at", "snooze_until")}
    history = [change | {"at": _local(change["at"])} for change in modes.history(50)]
    return {"current": current, "times": times, "form": form, "history": history}


def _local(iso: str | None) -> str:
    """An ISO time from the mode JSON in the household's time zone, as people read it."""
    return local_text(dt.datetime.fromisoformat(iso)) if iso else ""


@require_POST
def mode(request: HttpRequest) -> HttpResponse:
    try:
        if request.POST.get("snooze") not in (None, ""):
            modes.snooze(request.POST["snooze"], _who(request))
        else:
            data = modes.set_mode(request.POST.get("mode"), _who(request))
            if data.get("pending_mode"):
                messages.info(request, f"Away from {data['pending_at'][11:19]} (exit delay).")
    except modes.ModeError as exc:
        messages.error(request, str(exc))
    return redirect(_next(request))

