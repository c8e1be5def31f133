"""Relays changes committed by other processes (``hi worker``) from the feed into this process's live bus.

SSE endpoints call ``get_live_bridge().attach()`` after subscribing: the first call starts one
asyncio task on the caller's loop, which begins at the feed's current tail (no replay), polls
every half second (woken at once by NOTIFY on PostgreSQL) and publishes rows written by other
processes; this process's own rows were already published in-process, so they are skipped.
It stops after a minute without subscribers, and logs and backs off on database errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.db import connection

from hi.utils.backoff import Backoff
from hi.utils.late_ids import LateIds
from hi.utils.singleton import shared

from . import feed as live_feed
from .bus import LiveBus, get_live_bus

logger = logging.getLogger(__name__)

T = TypeVar("T")
Reader = Callable[[int, Iterable[int], int], list[live_feed.FeedRow]]

GAP_WAIT = 10.0  # seconds to keep looking for an id skipped by a transaction that commits late
_MAX_GAP = 1000  # only ids this close below the newest are waited for (further is a sequence jump)
_READ_LIMIT = 500
_MAX_WAIT_SLICE = 0.5  # seconds one blocking wait for NOTIFY may take


class LiveBridge:
    """One per process (``get_live_bridge``); tests build their own with a private bus."""

    def __init__(self, bus: LiveBus | None = None, *, origin: str | None = None, poll_interval: float = 0.5,
                 idle_timeout: float = 60.0, max_backoff: float = 30.0, reader: Reader | None = None) -> None:
        self.bus = bus or get_live_bus()
        self.origin = origin
        self.poll_interval = poll_interval
        self.idle_timeout = idle_timeout
        self.max_backoff = max_backoff
        self.ids = LateIds(0, _MAX_GAP, GAP_WAIT)  # ids a late commit may still fill are read again
        self.published = 0
        self.failures = 0
        self._reader: Reader = reader or live_feed.read_after
        self._lock = threading.Lock()
        self._task: asyncio.Task[None] | None = None
        self._ready: asyncio.Event | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._listening_on: Any = None

    # -- lifecycle --------------------------------------------------------------------------------
    async def attach(self, timeout: float = 2.0) -> None:
        """Make sure the relay runs; wait (briefly) until it has found the tail, so nothing later is missed."""
        loop = asyncio.get_running_loop()
        with self._lock:
            task = self._task
            if task is None or task.done() or task.get_loop().is_closed():
                self._ready = asyncio.Event()
                # an empty context: the relay outlives the request that started it and must not keep its state alive
                task = self._task = loop.create_task(self._run(self._ready), name="live-bridge",
                                                     context=contextvars.Context())
                task.add_done_callback(self._forget)
            ready = self._ready if task.get_loop() is loop else None
        if ready is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await ready.wait()

    def _forget(self, task: asyncio.Task[None]) -> None:
        """Drop a finished relay (and with it its event loop, which may be closing for good)."""
        with self._lock:
            if self._task is task:
                self._task = self._ready = None

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The relay's current task (None before the first ``attach`` and after an idle stop)."""
        return self._task

    async def _run(self, ready: asyncio.Event) -> None:
        me = asyncio.current_task()
        assert me is not None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hi-live-bridge")
        executor = self._executor
        try:
            await self._retrying(self.start_at_tail)
            ready.set()
            idle_since: float | None = None
            while True:
                if self.bus.subscriber_count:
                    idle_since = None
                elif idle_since is None:
                    idle_since = time.monotonic()
                elif time.monotonic() - idle_since >= self.idle_timeout:
                    self._forget(me)  # before any await: a new subscriber then starts a fresh task
                    return
                await self._retrying(self.poll_once)
                await self._retrying(self._wait_for_news)
        finally:
            await _release(executor)
            if self._executor is executor:
                self._executor = None

    async def close(self) -> None:
        """Close the database connection of direct ``poll_once`` use (tests); ``_run`` cleans up after itself."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await _release(executor)

    async def _retrying(self, step: Callable[[], Any]) -> None:
        """Run ``step`` until it succeeds; a database error is logged and retried with backoff."""
        while True:
            try:
                await step()
            except asyncio.CancelledError:
                raise
            except Exception:
                self.failures += 1
                delay = Backoff(self.poll_interval, self.max_backoff, floor=1.0).delay(self.failures + 1)
                logger.exception("live bridge could not read the change feed; retrying in %.1f s", delay)
                with contextlib.suppress(Exception):
                    await self._in_thread(_close_connection)
                await asyncio.sleep(delay)
            else:
                self.failures = 0
                return

    @property
    def cursor(self) -> int:
        """The newest feed id read (ids below it that a late commit may fill are still looked for)."""
        return self.ids.last_id

    # -- steps ------------------------------------------------------------------------------------
    async def start_at_tail(self) -> None:
        """Skip everything already in the feed: a new listener wants what happens from now on."""
        self.ids.restart_at(await self._in_thread(self._listening_tail))

    async def poll_once(self) -> int:
        """Publish the other processes' rows that appeared since the last poll; returns the changes published."""
        own = self.origin or live_feed.process_origin()
        published = 0
        while True:
            rows = await self._in_thread(self._reader, self.ids.last_id, list(self.ids.awaited), _READ_LIMIT)
            for row in rows:
                if row.origin != own and self.ids.is_pending(row.id):
                    published += self._publish(row)
            self.ids.observe((row.id for row in rows), time.monotonic())
            if len(rows) < _READ_LIMIT:  # a full page means more are waiting: read on before sleeping
                break
        self.published += published
        return published

    def _publish(self, row: live_feed.FeedRow) -> int:
        try:
            changes = live_feed.decode(row.changes)
        except (KeyError, TypeError, ValueError) as exc:
            logger.warning("skipping malformed live change %s: %s", row.id, exc)
            return 0
        self.bus.publish(changes)
        return len(changes)

    async def _wait_for_news(self) -> None:
        """Sleep one poll interval; on PostgreSQL return as soon as a writer's NOTIFY arrives."""
        if connection.vendor != "postgresql":
            await asyncio.sleep(self.poll_interval)
            return
        deadline = time.monotonic() + self.poll_interval
        # short waits on the thread: cancelling the relay (shutdown) never waits out a long interval
        while (remaining := deadline - time.monotonic()) > 0:
            if await self._in_thread(self._listen_and_wait, min(remaining, _MAX_WAIT_SLICE)):
                return

    def _listening_tail(self) -> int:
        """LISTEN before reading the tail, so no commit after it goes unannounced (runs on the bridge's thread)."""
        self._listen()
        return live_feed.tail_id()

    def _listen(self) -> None:
        """On PostgreSQL, subscribe the bridge's own connection to the writers' NOTIFY (again after a reconnect)."""
        if connection.vendor != "postgresql":
            return
        connection.ensure_connection()
        raw = connection.connection
        if raw is not self._listening_on:
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {live_feed.NOTIFY_CHANNEL}")
            self._listening_on = raw

    def _listen_and_wait(self, timeout: float) -> bool:
        """Whether a NOTIFY came within ``timeout``; runs on the bridge's thread, on its own connection."""
        self._listen()
        notified = False
        for _ in connection.connection.notifies(timeout=timeout, stop_after=1):  # ends by itself: keep the lock fair
            notified = True
        return notified

    async def _in_thread(self, function: Callable[..., T], *args: Any) -> T:
        """Database work on the bridge's own thread (one connection, never the event loop)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hi-live-bridge")
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)


def _close_connection() -> None:
    """Drop the thread's connection so the next attempt reconnects (and a test database can be dropped)."""
    connection.close()


async def _release(executor: ThreadPoolExecutor) -> None:
    """Close the connection of the executor's thread, then the thread."""
    with contextlib.suppress(Exception):
        await asyncio.get_running_loop().run_in_executor(executor, _close_connection)
    executor.shutdown(wait=False)


def get_live_bridge() -> LiveBridge:
    """The process-wide bridge feeding ``get_live_bus()``."""
    return shared(LiveBridge)
