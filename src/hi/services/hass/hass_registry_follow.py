"""Following Home Assistant's registries live: a registry-updated event marks the integration as needing a sync.

A rename or an area move arrives as a burst of events (a device and each of its entities), so they
are gathered for ``settle`` seconds and handled once: the registries are re-read over the live
connection (so the tracker knows what is hidden or disabled now) and the integration is flagged,
or synced when the user chose auto sync. A sync applies only differences and never deletes what
carries user data, so one sync per burst — never a re-import per event — is what it costs.

Whether a burst still needs a sync is decided by content, not by clocks: the monitor plans a sync
against the registries just re-read (``flag`` gets them) and flags only when that plan changes
something. A sync that ran before, during or after the burst is judged by what it wrote, so the
order in which an event, a sync and the flag happen to run cannot hide a change or flag a settled one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from hi.integrations.exceptions import IntegrationError

from .client.registry import Registries

logger = logging.getLogger("hi.services.hass.monitor")
_IGNORED = frozenset({"label_registry_updated"})  # hi does not use labels: nothing to sync


def describe(event_type: str, data: dict[str, Any]) -> str:
    """``device dev_1 update`` — what changed, for the needs-sync reason."""
    kind = event_type.removesuffix("_registry_updated")
    ident = data.get("entity_id") or data.get("device_id") or data.get("area_id") or data.get("floor_id") or "?"
    return f"{kind} {ident} {data.get('action', 'changed')}"


class RegistryFollower:
    """Gathers registry events and, once they settle, re-reads the registries and flags a sync."""

    def __init__(self, fetch: Callable[[], Awaitable[Registries]], apply: Callable[[Registries], None],
                 flag: Callable[[str, Registries | None], Awaitable[Any]], settle: float = 1.0) -> None:
        self.fetch = fetch
        self.apply = apply
        self.flag = flag
        self.settle = settle
        self.reasons: list[str] = []
        self.settled = 0  # bursts whose gathering ended (then HA is re-read)
        self.handled = 0  # bursts checked and flagged or not
        self._task: asyncio.Task[None] | None = None

    async def event(self, event_type: str, data: dict[str, Any]) -> None:
        if event_type in _IGNORED:
            return
        self.reasons.append(describe(event_type, data))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._settled(), name="hass-registry")

    async def recheck(self, reason: str) -> None:
        """Check as after a burst, though no event came: the link was down, and events are not replayed."""
        self.reasons.append(reason)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._settled(), name="hass-registry")

    async def _settled(self) -> None:
        while self.reasons:  # events that arrive while a burst is handled make the next burst
            await asyncio.sleep(self.settle)
            self.settled += 1
            reasons, self.reasons = self.reasons, []
            registries: Registries | None = None
            try:
                registries = await self.fetch()
                self.apply(registries)
            except IntegrationError as error:  # then the flag cannot be checked: it is raised
                logger.info("hass: could not re-read the registries after a change: %s", error.message)
            more = f" and {len(reasons) - 1} more" if len(reasons) > 1 else ""
            await self.flag(f"Home Assistant's registry changed ({reasons[0]}{more})", registries)
            self.handled += 1

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
