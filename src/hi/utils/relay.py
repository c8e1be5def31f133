"""Relaying an async stream until something else says stop: one loop for every long-lived stream wrapper.

A server-sent-events stream is an async generator that may stay idle for minutes, yet must end promptly
when the server shuts down or the caller's credentials stop being good. Racing ``anext(events)`` against a
timeout (``asyncio.timeout``) would cancel the generator in the middle of a message (and so end it for
good), so the next read is kept as one pending task that outlives any wait; on the way out that task is
cancelled and the stream closed, so no read is left running against a closed connection.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def relay_until(events: AsyncIterator[T], *, stop: asyncio.Event | None = None,
                      check: Callable[[], Awaitable[bool]] | None = None, every: float = 0.0,
                      farewell: T | None = None) -> AsyncIterator[T]:
    """``events``, one pending read at a time, until they end, ``stop`` is set, or ``check()`` is False.

    ``check`` is awaited every ``every`` seconds (first after ``every`` seconds; never while a message is
    being handed on); when it answers False, ``farewell`` (if given) is the last thing yielded. ``stop`` ends
    the relay at once, even while ``events`` is idle. ``events`` is closed whichever way the relay ends.
    """
    loop = asyncio.get_running_loop()
    next_check = loop.time() + every
    waiter: asyncio.Future[Any] | None = asyncio.ensure_future(stop.wait()) if stop is not None else None
    pending: asyncio.Future[T] | None = None
    try:
        while True:
            if check is not None and loop.time() >= next_check:
                if not await check():
                    if farewell is not None:
                        yield farewell
                    return
                next_check = loop.time() + every
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            timeout = max(0.0, next_check - loop.time()) if check is not None else None
            waiting = {pending} if waiter is None else {pending, waiter}
            done, _ = await asyncio.wait(waiting, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if pending not in done:
                if waiter is not None and waiter in done:
                    return
                continue
            try:
                chunk = pending.result()
            except StopAsyncIteration:
                pending = None
                return
            pending = None
            yield chunk
    finally:
        if waiter is not None:
            waiter.cancel()
        if pending is not None:
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                await pending
        with contextlib.suppress(RuntimeError):  # already closed by a cancelled read
            await events.aclose()  # type: ignore[attr-defined]
