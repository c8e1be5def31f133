"""The live Home Assistant monitor: one WebSocket subscription, REST polling only while that is unusable.

Each ``state_changed`` becomes SensorResponses submitted at once (a burst shares one transaction). After every (re)connect the shared
WebSocket client runs a resync: all states are fetched and whatever changed during the gap is
submitted. If the link stays down for ``fallback_after`` seconds, ``/api/states`` is polled every
``poll_interval`` seconds and the health says so, until the WebSocket is back. Entities added or
removed in Home Assistant mark the integration ``needs_sync`` (or sync it, when ``auto_sync``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async

from hi.integrations.client import RetryPolicy, WsState
from hi.integrations.exceptions import AuthenticationError, IntegrationConnectionError, IntegrationError
from hi.integrations.monitor import IntegrationMonitor, MonitorContext
from hi.integrations.sensor_response import SensorResponse
from hi.integrations.timeouts import configured as configured_timeouts
from hi.utils.redaction import redact, register_secret

from .client import AsyncHassRestClient, HassWebSocket, StateChange, StatesResult
from .client.registry import Registries
from .hass_converter import Allowlist
from .hass_forecasts import ForecastFollower
from .hass_live import LiveStateTracker, Signature, known_entity_ids, recorded_times, sync_plan_changes
from .hass_registry_follow import RegistryFollower
from .hass_states import INTEGRATION_ID
from .hass_sync import include_hidden, registries_or_none

logger = logging.getLogger("hi.services.hass.monitor")
# A poll is a probe of a peer that may be down: one quick retry, never a long series that delays the next poll.
POLL_RETRY = RetryPolicy(max_attempts=2, base_delay=0.2, max_delay=0.5, budget=2.0)
# Changes held while a reconnected link waits for its listing; past this many the listing's replay of
# Home Assistant's history recovers them instead (memory stays bounded when the listing keeps failing).
MAX_HELD_CHANGES = 10_000


def _mark_needs_sync(reason: str) -> bool:
    """Flag the integration, or sync it now when the user chose auto sync; True when it synced."""
    from hi.integrations.models import Integration
    from hi.integrations.sync.engine import run_sync

    integration = Integration.objects.filter(integration_id=INTEGRATION_ID).first()
    if integration is None:
        return False
    if integration.auto_sync:
        run_sync(INTEGRATION_ID)
        return True
    Integration.objects.filter(pk=integration.pk).update(needs_sync=True, needs_sync_reason=reason[:255])
    return False


def _flag_if_still_needed(tracker: LiveStateTracker, explain: Callable[[LiveStateTracker], str],
                          flagged: str) -> tuple[str, bool]:
    """Read what is imported and flag in one transaction that waits for a sync in progress: a reason
    computed before a sync committed must not flag again what that sync just settled."""
    from django.db import transaction

    from hi.integrations.models import Integration

    with transaction.atomic():
        Integration.objects.select_for_update().filter(integration_id=INTEGRATION_ID).first()
        tracker.known_ids = known_entity_ids()
        reason = explain(tracker)
        if not reason or reason == flagged:
            return reason, False
        return reason, _mark_needs_sync(reason)


def _flag_registry_change(reason: str, sync_would_change: Callable[[], bool]) -> bool:
    """Flag (or auto-sync) after a registry burst only when a sync would still change something.

    The check is a sync plan against the database, so a sync that ran before, during or after the
    burst is judged by what it wrote (comparing when the event arrived with when a sync ended was
    wrong both ways: a sync that read the registries just before a change and committed just after
    it hid the change; one still running when the burst settled was read as not yet run, and the flag
    landed after it had settled everything). The plan is made outside the lock — thousands of
    entities must not hold SQLite's write lock — and made again if a sync committed meanwhile.
    """
    from django.db import transaction

    from hi.integrations.models import Integration

    rows = Integration.objects.filter(integration_id=INTEGRATION_ID).values_list("last_sync_at", flat=True)
    for _attempt in range(3):
        synced_at = rows.first()
        pending = sync_would_change()
        with transaction.atomic():
            current = Integration.objects.select_for_update().filter(integration_id=INTEGRATION_ID).first()
            if current is None:
                return False
            if current.last_sync_at != synced_at:
                continue  # a sync committed while we planned: plan again against what it wrote
            return _mark_needs_sync(reason) if pending else False
    return _mark_needs_sync(reason)  # syncs keep landing: flag, the next one settles it


def _closing(function: Callable[..., bool]) -> Callable[..., bool]:
    """``function`` run in a pool thread, closing that thread's database connection afterwards."""
    def run(*args: Any) -> bool:
        from django.db import connection

        try:
            return function(*args)
        finally:
            connection.close()

    return run


class SubmitQueue:
    """Submits responses as soon as they come; while one submit is in flight, later ones gather into the
    next batch, so a burst costs a few transactions instead of one per change (and order is kept)."""

    def __init__(self, context: MonitorContext, tracker: LiveStateTracker) -> None:
        self.context = context
        self.tracker = tracker
        self.pending: list[SensorResponse] = []
        self.signatures: dict[str, Signature] = {}
        self.wake = asyncio.Event()
        self.idle = asyncio.Event()
        self.idle.set()
        self.batches = 0

    def add(self, responses: list[SensorResponse], signatures: dict[str, Signature]) -> None:
        if not responses and not signatures:
            return
        self.pending.extend(responses)
        self.signatures.update(signatures)
        self.idle.clear()
        self.wake.set()

    async def run(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            while self.pending or self.signatures:
                batch, signatures = self.pending, self.signatures
                self.pending, self.signatures = [], {}
                try:
                    if batch:
                        await self.context.submit(batch)
                        self.batches += 1
                except Exception as exc:  # the next resync or poll submits these again
                    for entity_id in signatures:
                        self.tracker.submitted.pop(entity_id, None)
                    await self.context.report_failure(IntegrationConnectionError(f"could not record state changes: {exc}"))
                else:
                    self.tracker.remember(signatures)
            self.idle.set()


class HassMonitor(IntegrationMonitor):
    name = "hass"

    def __init__(self, *, poll_interval: float = 4.0, fallback_after: float = 10.0, ping_interval: float = 20.0,
                 ping_timeout: float | None = None, heartbeat_interval: float = 15.0,
                 ws_options: dict[str, Any] | None = None, registry_settle: float = 1.0) -> None:
        self.poll_interval = poll_interval
        self.registry_settle = registry_settle
        self.registry: RegistryFollower | None = None
        self.fallback_after = fallback_after
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.heartbeat_interval = heartbeat_interval
        self.ws_options = dict(ws_options or {})
        self.mode = "starting"
        self.polls = 0
        self.snapshots = 0
        self.auth_failure: AuthenticationError | None = None
        self._synced = False
        self._context: MonitorContext | None = None
        self._tracker: LiveStateTracker | None = None
        self._queue: SubmitQueue | None = None
        self._rest: AsyncHassRestClient | None = None
        self._ws: HassWebSocket | None = None
        self.replayed = 0
        self._held: collections.deque[StateChange] = collections.deque()
        self._history_unavailable = False
        self._link_reason = ""
        self._imported: set[str] = set()
        self._wake = asyncio.Event()
        self._flagged = ""
        self._last_error_report = 0.0
        self.forecasts: ForecastFollower | None = None
        self._rechecked = 0  # the WebSocket connection whose registries were last checked
        self._registries_pending = False  # the first read failed: not known yet whether HA has them

    # -- the run loop --------------------------------------------------------------------------
    async def run(self, context: MonitorContext) -> None:
        attributes = context.attributes
        base_url, token = attributes.get("base_url", ""), attributes.get("api_token", "")
        register_secret(token)
        self._context = context
        self._wake = asyncio.Event()
        timeouts = configured_timeouts()  # the REST client and every wait of the live link (``link_waits``)
        rest = AsyncHassRestClient(base_url, token, timeouts=timeouts, retry=POLL_RETRY)
        unit = "°C"
        with contextlib.suppress(IntegrationError):
            unit = (await rest.config()).temperature_unit
        known = await sync_to_async(known_entity_ids)()
        recorded = await sync_to_async(recorded_times)()
        self._imported = set(known)
        # The registries say which states a sync leaves out (disabled, hidden): those are not drift.
        registries = None
        try:
            registries = await sync_to_async(registries_or_none, thread_sensitive=False)(base_url, token)
        except IntegrationError as error:  # HA down or slow: read them over the live link once it is up
            self._registries_pending = True
            logger.warning("hass: could not read the registries (%s); drift is not judged until they are read",
                           redact(error.message)[:200])
        self._tracker = LiveStateTracker(Allowlist.parse(attributes.get("import_allowlist")), unit, known,
                                         recorded, registries=registries, include_hidden=include_hidden(attributes))
        self._rest = rest
        ws = HassWebSocket(base_url, token, on_change=self._on_change, on_snapshot=self._on_snapshot,
                           on_auth_failed=self._on_auth_failed, on_state_change=self._on_link_state,
                           on_error=self._on_error, ping_interval=self.ping_interval,
                           ping_timeout=self.ping_timeout, on_registry=self._on_registry,
                           on_forecast=self._on_forecast, timeouts=timeouts, **self.ws_options)
        self._ws = ws
        self.forecasts = ForecastFollower(ws, lambda responses: self._queue.add(responses, {}) if self._queue else None)
        self.registry = RegistryFollower(ws.fetch_registries, self._apply_registries, self._registry_changed,
                                         settle=self.registry_settle)
        self._queue = SubmitQueue(context, self._tracker)
        submitter = asyncio.create_task(self._queue.run(), name="hass-submit")
        await ws.start()
        try:
            await self._supervise(context, ws, rest)
        finally:
            if self.registry is not None:
                await self.registry.stop()
            await ws.stop()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    await self._queue.idle.wait()
            submitter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await submitter
            await rest.aclose()

    async def _supervise(self, context: MonitorContext, ws: HassWebSocket, rest: AsyncHassRestClient) -> None:
        down_since: float | None = time.monotonic()
        last_heartbeat = 0.0
        last_resync_try = time.monotonic()
        while not context.stopping:
            # cleared before the link is looked at, never in _wait: a change while this pass awaits
            # (reporting, refetching) must cut the next wait short, not be lost
            self._wake.clear()
            now = time.monotonic()
            if self.auth_failure is not None:
                await self._set_link(context, "needs_credentials", "Home Assistant refused the access token")
                await context.report_failure(self.auth_failure)
                await self._wait(context, 3600)
                continue
            if ws.is_connected and self._synced:
                down_since = None
                if self.mode != "websocket":
                    await context.report_success()  # first: whoever sees the mode sees the health too
                    await self._set_link(context, "websocket", "")
                if now - last_heartbeat >= self.heartbeat_interval:
                    last_heartbeat = now
                    await context.heartbeat()
                    await self._refetch_if_more_imported(ws)
                    if self.forecasts is not None:
                        await self.forecasts.tick()
                await self._wait(context, self.heartbeat_interval)
                continue
            if ws.is_connected and now - last_resync_try >= self.poll_interval:
                last_resync_try = now  # connected but the snapshot failed (e.g. schema drift): try again
                with contextlib.suppress(IntegrationError):
                    await self._on_snapshot(await ws.get_states())
                continue
            down_since = down_since if down_since is not None else now
            if self.mode == "websocket" or (self.mode == "starting" and ws.last_error):
                # an outage is reported within one cycle, with its cause, not only once polling starts
                reason = ws.last_error or "connection lost"
                await self._set_link(context, "reconnecting", reason)
                await context.report_failure(IntegrationConnectionError(f"Home Assistant connection lost ({redact(reason)[:200]}); "
                                                             "reconnecting", integration_id=INTEGRATION_ID))
            if now - down_since < self.fallback_after:
                await self._wait(context, min(1.0, self.fallback_after))
                continue
            if self.mode != "polling":
                await self._set_link(context, "polling", ws.last_error or "not connected")
            await self._poll(context, rest)
            await self._wait(context, self.poll_interval)

    async def _poll(self, context: MonitorContext, rest: AsyncHassRestClient) -> None:
        try:
            result = await rest.states()
        except IntegrationError as exc:
            await context.report_failure(exc)
            return
        self.polls += 1
        self._ws_reconnect_now()  # the peer answers: reconnect at once instead of at the next backoff
        await self._apply(result)
        await context.report_success()
        await context.report_warning(f"WebSocket unavailable ({self._link_reason}); polling every "
                                     f"{self.poll_interval:g} s")

    async def _refetch_if_more_imported(self, ws: HassWebSocket) -> None:
        """A sync imported or reconnected entities (a new allowlist, say): list them again now, so their
        values and changes since are recorded without waiting for their next change."""
        assert self._tracker is not None
        known = await sync_to_async(known_entity_ids)()
        added = known - self._imported
        self._imported = known
        self._tracker.known_ids = known
        if added:
            logger.info("hass: %d entities newly imported; listing states again", len(added))
            with contextlib.suppress(IntegrationError):
                await self._on_snapshot(await ws.get_states())

    def _ws_reconnect_now(self) -> None:
        if self._ws is not None:
            self._ws.client.reconnect_now()

    async def _wait(self, context: MonitorContext, seconds: float) -> None:
        """Sleep until woken by a link change (since this pass began), the stop signal or ``seconds``."""
        waker = asyncio.ensure_future(self._wake.wait())
        stopper = asyncio.ensure_future(context.stop_event.wait())
        try:
            await asyncio.wait({waker, stopper}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waker.cancel()
            stopper.cancel()

    async def _set_link(self, context: MonitorContext, mode: str, reason: str) -> None:
        self.mode = mode
        self._link_reason = redact(reason)[:200] or "not connected"
        detail: dict[str, Any] = {"mode": mode, "reason": redact(reason)[:200]}
        if mode == "polling":
            detail["interval"] = self.poll_interval
            logger.warning("hass: WebSocket unusable (%s); polling every %gs", detail["reason"], self.poll_interval)
        await context.set_detail("link", detail)

    # -- callbacks of the WebSocket ------------------------------------------------------------
    def _on_link_state(self, state: WsState, detail: str) -> None:
        if state != WsState.CONNECTED:
            self._synced = False
        self._wake.set()

    def _on_auth_failed(self, error: AuthenticationError) -> None:
        self.auth_failure = error
        self._wake.set()

    async def _on_error(self, error: IntegrationError) -> None:
        now = time.monotonic()
        if self._context is not None and now - self._last_error_report >= 5.0:
            self._last_error_report = now
            await self._context.report_failure(error)

    async def _on_snapshot(self, result: StatesResult) -> None:
        if self._registries_pending and self._ws is not None:
            with contextlib.suppress(IntegrationError):
                self._apply_registries(await self._ws.fetch_registries())
                self._registries_pending = False
        await self._apply(result)
        self.snapshots += 1
        self._synced = True
        await self._release_held()
        self._wake.set()
        if self.forecasts is not None and self._tracker is not None:  # weather forecasts over this connection
            await self.forecasts.follow(result.states, self._tracker.imports)
        connections = self._ws.client.connections if self._ws is not None else 0
        if connections > max(1, self._rechecked) and self.registry is not None:
            # registry events of the time the link was down are lost: plan against the registries once
            self._rechecked = connections
            await self.registry.recheck("reconnected; changes while disconnected")

    async def _on_forecast(self, entity_id: str, forecast_type: str, forecast: Any) -> None:
        if self.forecasts is not None and self._tracker is not None and entity_id in self._tracker.known_ids:
            await self.forecasts.pushed(entity_id, forecast_type, forecast)

    async def _replay_gaps(self, result: StatesResult) -> None:
        """Submit the changes a full listing cannot show: those of entities that changed while we were
        not listening (down, reconnecting or between polls), from Home Assistant's recorder."""
        assert self._tracker is not None and self._queue is not None
        gaps = self._tracker.gaps(result.states)
        if not gaps or self._rest is None or self._history_unavailable:
            return
        try:
            states = await self._rest.history(min(gaps.values()), gaps)
        except IntegrationError as exc:
            if getattr(exc, "status_code", None) == 404:
                self._history_unavailable = True  # no recorder: the listing's last values still arrive
                logger.warning("hass: Home Assistant has no history API; changes made while hi was not "
                               "listening arrive as their last value only")
            else:
                logger.warning("hass: could not replay missed changes: %s", redact(exc))
            return
        responses = [response for state in states
                     if state.last_updated is not None and state.last_updated > gaps.get(state.entity_id, state.last_updated)
                     for response in self._tracker.replayed(state)]
        self.replayed += len(responses)
        self._queue.add(responses, {})

    async def _apply(self, result: StatesResult) -> None:
        """Submit what changed in a full listing and check whether HA's entity set drifted from ours."""
        assert self._tracker is not None and self._queue is not None
        await self._replay_gaps(result)
        delta = self._tracker.delta(result.states)
        self._queue.add(delta.responses, delta.signatures)
        # without the registries hidden and disabled entities would look new: no drift is judged then
        if delta.seen != self._tracker.known_ids and not result.skipped and not self._registries_pending:
            await self._membership_changed(lambda tracker: tracker.snapshot_drift(delta.seen))

    async def _on_change(self, change: StateChange) -> None:
        """A live change, held while a (re)connected link has not been listed yet.

        Recording it first would move where the listing's replay of missed changes starts (the newest
        change we know of) past the changes made while we were away, and lose them.
        """
        if self._synced and not self._held:
            await self._record_change(change)
            return
        if len(self._held) >= MAX_HELD_CHANGES:
            logger.warning("hass: %d changes arrived before the listing; Home Assistant's history replays them",
                           len(self._held))
            self._held.clear()
        self._held.append(change)

    async def _release_held(self) -> None:
        """Record the changes held until the listing, in order (any arriving meanwhile queue behind them)."""
        while self._held:
            await self._record_change(self._held.popleft())

    async def _record_change(self, change: StateChange) -> None:
        assert self._tracker is not None and self._queue is not None
        responses = self._tracker.change(change)
        if responses and change.new_state is not None:
            self._queue.add(responses, {change.entity_id: self._tracker.signature(change.new_state)})
        if self._tracker.membership_changed(change):
            await self._membership_changed(lambda tracker: tracker.membership_changed(change))

    async def _on_registry(self, event_type: str, data: dict[str, Any]) -> None:
        if self.registry is not None:
            await self.registry.event(event_type, data)

    def _apply_registries(self, registries: Registries) -> None:
        if self._tracker is not None:
            self._tracker.registries = registries if registries.available else None

    async def _registry_changed(self, reason: str, registries: Registries | None) -> None:
        """Flag (or auto-sync) once per settled burst of registry events, when a sync would change something."""
        tracker, ws = self._tracker, self._ws
        if tracker is None or ws is None:
            return
        result: StatesResult | None = None
        for attempt in range(2):
            if registries is not None:
                with contextlib.suppress(IntegrationError):
                    result = await ws.get_states()
            if result is not None or attempt:
                break
            # the link dropped while HA was re-read: read again once it is back (not knowing would flag)
            with contextlib.suppress(IntegrationError, TimeoutError):
                await ws.wait_connected(self.fallback_after)
                registries = await ws.fetch_registries()
                self._apply_registries(registries)

        def sync_would_change() -> bool:
            if result is None or registries is None:
                return True  # HA could not be read again: cannot tell, so ask for a sync
            return sync_plan_changes(result, registries, tracker)

        # off the thread the monitor's other database work shares: a plan of a big home takes a while
        synced = await sync_to_async(_closing(_flag_registry_change), thread_sensitive=False)(reason, sync_would_change)
        if synced:
            tracker.known_ids = await sync_to_async(known_entity_ids)()

    async def _membership_changed(self, explain: Callable[[LiveStateTracker], str]) -> None:
        """Re-read what is imported (a sync may have run meanwhile), then flag or auto-sync if still needed."""
        assert self._tracker is not None
        reason, synced = await sync_to_async(_flag_if_still_needed)(self._tracker, explain, self._flagged)
        if not reason or (reason == self._flagged and not synced):
            return
        self._flagged = reason
        if synced:
            self._tracker.known_ids = await sync_to_async(known_entity_ids)()
            self._flagged = ""
