"""The live bus as a server-sent-events stream: one mechanism for the API's and the pages' SSE endpoints.

Both subscribe before the first byte (nothing committed after ``connected`` is missed), attach the
cross-process bridge, send keepalive comments when idle and hand each backlog to the caller in one
batch; only how a batch becomes SSE text differs, so that is the caller's ``render``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.http import StreamingHttpResponse

from hi.utils.relay import relay_until

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


async def with_snapshots(inner: AsyncIterator[str], interval: float, take: Callable[[], Any],
                         render: Callable[[Any, Any], str]) -> AsyncIterator[str]:
    """``inner``'s messages, plus ``render(new, previous)`` at once and whenever ``take()`` (run in a thread
    every ``interval`` seconds, e.g. integration health) returns something new; ``previous`` is None at first.

    Health has no change event of its own (the worker writes rows, possibly in another process), so the
    streams poll it; the state feed is awaited as one long-lived task, so a poll never cancels (and so
    never ends) the generator underneath.
    """
    last: Any = None
    pending: asyncio.Future[str] | None = None
    try:
        yield await anext(inner)  # the preamble: the bus subscription exists from here on
        while True:
            snapshot = await sync_to_async(take)()
            if snapshot != last:
                text = render(snapshot, last)
                last = snapshot
                if text:
                    yield text
            if pending is None:
                pending = asyncio.ensure_future(anext(inner))
            done, _ = await asyncio.wait({pending}, timeout=interval)
            if done:
                chunk, pending = pending.result(), None
                yield chunk
    except StopAsyncIteration:
        return
    finally:
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        await inner.aclose()


# Open streams of this process, so a shutdown can end them at once instead of waiting for the server's
# graceful-shutdown timeout to cancel them (which printed errors and tracebacks on Ctrl-C).
_open_streams: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def close_streams() -> None:
    """Ask every open stream to finish now (``hi run``/``hi demo`` call this when they stop); safe from any thread."""
    for loop, closed in list(_open_streams):
        with contextlib.suppress(RuntimeError):  # that loop is already gone
            loop.call_soon_threadsafe(closed.set)


async def until_closed(events: AsyncIterator[str]) -> AsyncIterator[str]:
    """``events`` until they end or ``close_streams()`` is called; the pending read is one task, so waiting
    for either never cancels the generator in the middle of a message."""
    closed = asyncio.Event()
    entry = (asyncio.get_running_loop(), closed)
    _open_streams.add(entry)
    try:
        async with contextlib.aclosing(relay_until(events, stop=closed)) as relayed:
            async for chunk in relayed:
                yield chunk
    finally:
        _open_streams.discard(entry)


def event_stream_response(events: AsyncIterator[str]) -> StreamingHttpResponse:
    """A streaming ``text/event-stream`` response that caches and proxy-buffers nothing, and ends at shutdown."""
    response = StreamingHttpResponse(until_closed(events), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
