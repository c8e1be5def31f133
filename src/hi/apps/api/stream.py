"""``GET /api/v1/stream``: server-sent events, one ``state`` event per committed state change, plus ``alert`` and ``mode``."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse

from hi.apps.access.streams import guard_stream
from hi.apps.sense.live.bus import BusItem, LiveMessage, StateChange
from hi.apps.sense.live.sse import event_stream_response, live_events

KEEPALIVE_SECONDS = 15.0


def _render_one(item: BusItem) -> str:
    if isinstance(item, StateChange):
        return f"event: state\ndata: {json.dumps(item.to_dict(), default=str)}\n\n"
    if isinstance(item, LiveMessage):
        return f"event: {item.kind}\ndata: {json.dumps(item.to_dict(), default=str)}\n\n"
    return "event: resync\ndata: {}\n\n"


async def _render(items: list[BusItem]) -> str:
    """One ``state`` event per change (its JSON), ``alert``/``mode`` events as published, ``resync`` where the reader fell behind."""
    return "".join(_render_one(item) for item in items)


@login_not_required
async def stream(request: HttpRequest) -> HttpResponse:
    """Token or session required (``AccessMiddleware`` answers 401 JSON otherwise); ends when they are revoked."""
    try:
        keepalive = float(request.GET.get("keepalive", KEEPALIVE_SECONDS))
    except ValueError:
        return JsonResponse({"detail": "keepalive must be a number of seconds"}, status=400)
    keepalive = min(max(keepalive, 0.5), 60.0)
    return event_stream_response(guard_stream(request, live_events(_render, keepalive)))
