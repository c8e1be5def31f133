"""``GET /api/v1/stream``: server-sent events, one ``state`` event per committed state change."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse

from hi.apps.sense.live_bridge import get_live_bridge
from hi.apps.sense.live_bus import RESYNC, get_live_bus

from .auth import authenticate_async

KEEPALIVE_SECONDS = 15.0


async def _events(keepalive: float) -> AsyncIterator[str]:
    subscription = get_live_bus().subscribe()
    try:
        await get_live_bridge().attach()  # changes committed by a worker in another process
        yield "retry: 3000\n: connected\n\n"  # subscribed before the first byte: nothing is missed after it
        while True:
            try:
                item = await subscription.get(timeout=keepalive)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            if item is RESYNC:
                yield "event: resync\ndata: {}\n\n"
            else:
                yield f"event: state\ndata: {json.dumps(item.to_dict(), default=str)}\n\n"
    finally:
        subscription.close()


@login_not_required
async def stream(request: HttpRequest) -> HttpResponse:
    """Token or session required; answers 401 JSON otherwise (the API's own rule, not a redirect)."""
    if await authenticate_async(request) is None:
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    try:
        keepalive = float(request.GET.get("keepalive", KEEPALIVE_SECONDS))
    except ValueError:
        return JsonResponse({"detail": "keepalive must be a number of seconds"}, status=400)
    keepalive = min(max(keepalive, 0.5), 60.0)
    response = StreamingHttpResponse(_events(keepalive), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
