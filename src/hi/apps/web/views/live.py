"""The page's live feed: server-sent events carrying ready-to-swap state badges for htmx's SSE extension.

Each committed change becomes ``event: state-<id>`` whose data is the badge HTML, so any element
with ``sse-swap="state-<id>"`` updates itself; pages need no JSON handling of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from hi.apps.entity.models import EntityState
from hi.apps.sense.live_bridge import get_live_bridge
from hi.apps.sense.live_bus import RESYNC, StateChange, get_live_bus
from hi.apps.web.widgets import badge_html

KEEPALIVE_SECONDS = 15.0
_MAX_BATCH = 200


def render_state_events(state_ids: Iterable[int]) -> str:
    """One SSE message per state, its data the badge as the pages render it (one query in all)."""
    states = EntityState.objects.filter(id__in=set(state_ids)).only(
        "id", "state_type", "value", "units", "value_range", "value_updated_at")
    messages = []
    for state in states:
        data = "\n".join(f"data: {line}" for line in str(badge_html(state)).splitlines())
        messages.append(f"event: state-{state.id}\n{data}\n\n")
    return "".join(messages)


async def _events(keepalive: float) -> AsyncIterator[str]:
    subscription = get_live_bus().subscribe()
    try:
        await get_live_bridge().attach()  # changes committed by a worker in another process
        yield "retry: 3000\n: connected\n\n"
        while True:
            try:
                item = await subscription.get(timeout=keepalive)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            batch: list[StateChange] = [] if item is RESYNC else [item]
            resync = item is RESYNC
            while subscription.pending() and len(batch) < _MAX_BATCH:
                more = await subscription.get()
                if more is RESYNC:
                    resync = True
                else:
                    batch.append(more)
            if resync:
                yield "event: resync\ndata: resync\n\n"
            if batch:
                yield await sync_to_async(render_state_events)(change.state_id for change in batch)
    finally:
        subscription.close()


async def stream(request: HttpRequest) -> HttpResponse:
    """Only for signed-in people (LoginRequiredMiddleware turns others away before this runs)."""
    response = StreamingHttpResponse(_events(KEEPALIVE_SECONDS), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
