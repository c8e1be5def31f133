"""The alarm layer's work in the worker: a one-second tick (held-for deadlines, mode timers, alert expiry)
and the notifier (due deliveries, woken at once when a firing queues some)."""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from django.db import close_old_connections

from hi.utils.clock import Clock

from . import alerts, firing, modes, notify
from .engine import get_engine

logger = logging.getLogger(__name__)

TICK_SECONDS = 1.0
NOTIFIER_POLL_SECONDS = 2.0


def tick_once(clock: Clock | None = None) -> None:
    """One pass: mode timers first (rules fire against the right mode), then deadlines, then expiry."""
    now = (clock or Clock()).now()
    close_old_connections()
    modes.tick(now)
    get_engine().check_due(now)
    alerts.expire_due(now)


async def run_ticker(clock: Clock, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await sync_to_async(tick_once, thread_sensitive=False)(clock)
        except Exception:
            logger.exception("alarm tick failed")
        if await clock.wait(TICK_SECONDS, stop):
            return


async def run_notifier(clock: Clock, stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def wake_up() -> None:
        loop.call_soon_threadsafe(wake.set)

    firing.delivery_listeners.append(wake_up)
    try:
        while not stop.is_set():
            wake.clear()
            try:
                await asyncio.to_thread(notify.deliver_due)
            except Exception:
                logger.exception("delivering notifications failed")
            waiter = asyncio.ensure_future(wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait({waiter, stopper}, timeout=NOTIFIER_POLL_SECONDS,
                                   return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()
                stopper.cancel()
    finally:
        firing.delivery_listeners.remove(wake_up)
