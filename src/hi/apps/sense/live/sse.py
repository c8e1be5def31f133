"""The live bus as a server-sent-events stream: one mechanism for the API's and the pages' SSE endpoints.

Both subscribe before the first byte (nothing committed after ``connected`` is missed), attach the
cross-process bridge, send keepalive comments when idle and hand each backlog to the caller in one
batch; only how a batch becomes SSE text differs, so that is the caller's ``render``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from django.http import StreamingHttpResponse

from .bridge import get_live_bridge
from .bus import BusItem, get_live_bus

MAX_BATCH = 200

RenderBatch = Callable[[list[BusItem]], Awaitable[str]]


async def live_events(render: RenderBatch, keepalive: float, max_batch: int = MAX_BATCH) -> AsyncIterator[str]:
    """SSE text: a ``connected`` preamble, then ``render(items)`` for each backlog (in bus order, ``RESYNC`` included)."""
    subscription = get_live_bus().subscribe()
    try:
        await get_live_bridge().attach()  # changes committed by a worker in another process
        yield "retry: 3000\n: connected\n\n"
        while True:
            try:
                items = [await subscription.get(timeout=keepalive)]
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            while subscription.pending() and len(items) < max_batch:
                items.append(await subscription.get())
            yield await render(items)
    finally:
        subscription.close()


def event_stream_response(events: AsyncIterator[str]) -> StreamingHttpResponse:
    """A streaming ``text/event-stream`` response that caches and proxy-buffers nothing."""
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
