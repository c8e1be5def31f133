"""The events timeline across the home, filterable by entity, state type and period."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hi.apps.entity.enums import EntityStateType
from hi.apps.event.models import Event
from hi.utils.params import is_id

from .pages import with_media

PERIODS: dict[str, dt.timedelta | None] = {
    "1h": dt.timedelta(hours=1), "24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7),
    "30d": dt.timedelta(days=30), "all": None,
}
PAGE_SIZE = 50


def timeline(request: HttpRequest) -> HttpResponse:
    entity_text = request.GET.get("entity", "").strip()[:100]
    state_type = request.GET.get("type", "")
    period = request.GET.get("period", "7d")
    period = period if period in PERIODS else "7d"
    events = Event.objects.select_related("entity", "entity_state").order_by("-start", "-id")
    if entity_text:
        match = Q(entity__name__icontains=entity_text) | Q(entity__integration_name__icontains=entity_text)
        if is_id(entity_text):
            match |= Q(entity_id=int(entity_text))
        events = events.filter(match)
    if state_type in EntityStateType.values:
        events = events.filter(entity_state__state_type=state_type)
    else:
        state_type = ""
    if PERIODS[period] is not None:
        events = events.filter(start__gte=timezone.now() - PERIODS[period])
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/events.html", {
        "page": page, "rows": with_media(list(page.object_list)), "entity_text": entity_text, "state_type": state_type, "period": period,
        "periods": list(PERIODS), "state_types": EntityStateType.choices,
    })
