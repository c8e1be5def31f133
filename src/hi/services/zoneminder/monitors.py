"""The ZoneMinder poller: new events by a persisted id cursor, open events by id, then camera status.

Each cycle costs one events query per 100 events above the cursor's low-water mark, one request per
still-open event (at most one per camera) and three status requests — never anything proportional to
the history. The low-water mark sits just below the lowest id skipped but not yet seen (a row whose
INSERT commits after a higher id was read, see ``event_window``); already delivered ids are skipped.
An event that starts and ends between two polls yields its start and its end in the same batch;
events that happened while the worker was stopped are read from the cursor on the next start.
The very first poll against a server does not import its history: it starts after the latest event
and picks up only the events still open then.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Mapping

from asgiref.sync import sync_to_async
from django.db import connection

from hi.integrations.exceptions import RequestError
from hi.integrations.keys import IntegrationKey
from hi.integrations.monitor import MonitorContext, PeriodicMonitor
from hi.integrations.sensor_response import Correlation, SensorResponse
from hi.integrations.timeouts import configured as configured_timeouts

from .event_window import CursorState, advance
from .zm_client import AsyncZoneMinderClient
from .zm_converter import INTEGRATION_ID, event_end, event_start, order_responses, status_responses
from .zm_models import ZmEvent
from .zm_settings import settings_from, zone

logger = logging.getLogger("hi.services.zoneminder.monitor")


def _load_cursor(server: str) -> CursorState | None:
    from .models import EventCursor

    try:
        row = EventCursor.objects.filter(server=server).first()
        if row is None:
            return None
        return CursorState(row.last_event_id, [int(i) for i in row.open_event_ids],
                           CursorState.awaited_from_json(row.awaited_event_ids))
    finally:
        connection.close()  # a pool thread must not keep a database session open between polls


def _save_cursor(server: str, cursor: CursorState) -> None:
    from .models import EventCursor

    try:
        EventCursor.objects.update_or_create(server=server, defaults={
            "last_event_id": cursor.last_event_id, "open_event_ids": sorted(cursor.open_event_ids),
            "awaited_event_ids": cursor.awaited_json()})
    finally:
        connection.close()


def _vanished_ends(event_ids: list[int], now: dt.datetime) -> list[SensorResponse]:
    """End responses for open events ZoneMinder no longer has (deleted): our Event closes at ``now``."""
    from hi.apps.event.models import Event

    if not event_ids:
        return []
    try:
        rows = Event.objects.filter(correlation_id__in=[str(i) for i in event_ids], end__isnull=True,
                                    sensor__integration_id=INTEGRATION_ID).values_list(
            "correlation_id", "sensor__integration_name")
        return [SensorResponse(IntegrationKey(INTEGRATION_ID, name), "idle", now,
                               {"event_id": int(cid), "deleted_in_zoneminder": True}, Correlation("end", cid))
                for cid, name in rows]
    finally:
        connection.close()


load_cursor = sync_to_async(_load_cursor, thread_sensitive=False)
save_cursor = sync_to_async(_save_cursor, thread_sensitive=False)
vanished_ends = sync_to_async(_vanished_ends, thread_sensitive=False)


class ZoneMinderMonitor(PeriodicMonitor):
    """Polls at the base class's fixed rate (the next cycle is due ``interval_seconds`` after the last began)."""

    name = "zoneminder"

    def __init__(self, interval_seconds: float = 2.0, client: AsyncZoneMinderClient | None = None) -> None:
        self.interval_seconds = interval_seconds
        self._given_client = client
        self.client: AsyncZoneMinderClient | None = client
        self.tz: dt.tzinfo | None = None
        self.cursor: CursorState | None = None
        self.server = ""
        self.polls = 0

    def prepare(self, attributes: Mapping[str, str]) -> None:
        """Bind to the configured server (``run`` does this; tests call it before driving ``poll``)."""
        settings = settings_from(attributes)
        self.server = settings.api_url
        self.client = self._given_client or AsyncZoneMinderClient(settings, timeouts=configured_timeouts())

    async def close(self) -> None:
        if self._given_client is None and self.client is not None:
            await self.client.aclose()

    async def run(self, context: MonitorContext) -> None:
        self.prepare(context.attributes)
        try:
            await super().run(context)
        finally:
            await self.close()

    async def poll(self, context: MonitorContext) -> None:
        assert self.client is not None
        if self.tz is None:
            configured = context.attributes.get("timezone", "")
            self.tz = zone(configured or (await self.client.time_zone()).tz)
        if self.cursor is None:
            self.cursor = await load_cursor(self.server)
        problems: list[BaseException] = []
        if self.cursor is None:
            self.cursor, responses = await self._baseline()
            await self._commit(context, responses)
            status = await self._fetch_status_safely(context.now())
        else:
            # The new-events query goes alone first: its starts are what people wait for, and if the
            # token has expired this one request logs in again before the others run concurrently.
            before = self.cursor
            step = advance(before, await self.client.events_after(before.low_water), context.now())
            await context.submit(order_responses(self._new_event_responses(step.fresh)))
            new_open = [e.Id for e in step.fresh if e.is_open]
            rechecked, status = await asyncio.gather(self._recheck(before.open_event_ids),
                                                     self._fetch_status_safely(context.now()),
                                                     return_exceptions=True)
            last_id, awaited = step.last_event_id, step.awaited
            if isinstance(rechecked, BaseException):
                problems.append(rechecked)
                await self._commit(context, [], CursorState(last_id, [*before.open_event_ids, *new_open], awaited))
            else:
                found, vanished = rechecked
                ends = [event_end(e, self.tz) for e in found if not e.is_open]
                ends += await vanished_ends(vanished, context.now())
                still_open = [e.Id for e in found if e.is_open]
                await self._commit(context, ends, CursorState(last_id, [*still_open, *new_open], awaited))
        self.polls += 1
        if isinstance(status, BaseException):
            problems.append(status)
        else:
            await context.submit(status)
        if problems:
            raise problems[0]

    async def _commit(self, context: MonitorContext, responses: list[SensorResponse],
                      cursor: CursorState | None = None) -> None:
        """Submit, then persist the cursor (a crash in between only replays events, which are deduplicated)."""
        if responses:
            await context.submit(order_responses(responses))
        if cursor is not None:
            self.cursor = cursor
        assert self.cursor is not None
        await save_cursor(self.server, self.cursor)

    # -- events --------------------------------------------------------------------------------
    async def _baseline(self) -> tuple[CursorState, list[SensorResponse]]:
        """First run against a server: start after its latest event, picking up events still open."""
        assert self.client is not None and self.tz is not None
        latest = await self.client.latest_events()
        still_open = [e for e in latest.events if e.is_open]
        logger.info("zoneminder: first poll against %s; its earlier history is not imported, reading events "
                    "after %s (%d still open picked up)", self.server, latest.last_id, len(still_open))
        return (CursorState(latest.last_id, [e.Id for e in still_open]),
                [event_start(e, self.tz) for e in still_open])

    def _new_event_responses(self, fresh: list[ZmEvent]) -> list[SensorResponse]:
        """A start for every new event, and its end too when it already finished between two polls."""
        assert self.tz is not None
        responses: list[SensorResponse] = []
        for event in fresh:
            responses.append(event_start(event, self.tz))
            if not event.is_open:
                responses.append(event_end(event, self.tz))
        return responses

    async def _recheck(self, event_ids: list[int]) -> tuple[list[ZmEvent], list[int]]:
        """Fetch the events that were open last time; also say which ones were deleted meanwhile."""
        assert self.client is not None
        results = await asyncio.gather(*(self.client.event(i) for i in event_ids), return_exceptions=True)
        found: list[ZmEvent] = []
        vanished: list[int] = []
        for event_id, result in zip(event_ids, results, strict=True):
            if isinstance(result, RequestError) and result.status_code == 404:
                logger.warning("zoneminder event %s was deleted while open; closing it now", event_id)
                vanished.append(event_id)
                continue
            if isinstance(result, BaseException):
                raise result
            found.append(result.event.Event)
        return found, vanished

    # -- status --------------------------------------------------------------------------------
    async def _fetch_status_safely(self, now: dt.datetime) -> list[SensorResponse] | BaseException:
        try:
            return await self._fetch_status(now)
        except Exception as exc:  # reported after the events are stored
            return exc

    async def _fetch_status(self, now: dt.datetime) -> list[SensorResponse]:
        assert self.client is not None
        monitors, states, daemon = await asyncio.gather(self.client.monitors(), self.client.run_states(),
                                                        self.client.daemon_check())
        return status_responses(monitors.monitors, [s.State for s in states.states], daemon.result == 1, now)
