"""The event cursor with an overlap window: ids skipped over are awaited, because they may commit late.

ZoneMinder's events table takes MariaDB auto-increment ids at INSERT time while several capture and
analysis processes write concurrently, so a row with a lower id can become visible after a higher id
was read. The cursor therefore remembers the ids it passed without seeing (``awaited``) and each poll
reads from just below the lowest of them. Everything else at or below ``last_event_id`` was delivered
and is skipped by id. The window is bounded by ``MAX_WINDOW_IDS`` ids and ``AWAIT_PATIENCE`` time,
never by history; with nothing awaited the query is exactly ``Id > last_event_id``. The bookkeeping
is ``hi.utils.late_ids.LateIds``, shared with the live bridge.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from hi.utils.late_ids import LateIds

from .zm_client import EventBatch
from .zm_models import ZmEvent

logger = logging.getLogger("hi.services.zoneminder.monitor")

MAX_WINDOW_IDS = 200  # an id further than this below the newest is no longer awaited
AWAIT_PATIENCE = dt.timedelta(minutes=2)  # nor one missed longer ago than this (a rollback or deletion)


@dataclass
class CursorState:
    """What has been delivered: every id up to ``last_event_id`` except the ``awaited`` ones."""

    last_event_id: int
    open_event_ids: list[int] = field(default_factory=list)
    awaited: dict[int, dt.datetime] = field(default_factory=dict)  # id -> when it was first missed

    @property
    def low_water(self) -> int:
        """Read events with ``Id >`` this: just below the lowest awaited id, else the newest delivered."""
        return LateIds(self.last_event_id, MAX_WINDOW_IDS, AWAIT_PATIENCE, self.awaited).low_water

    def awaited_json(self) -> dict[str, str]:
        return {str(i): moment.isoformat() for i, moment in sorted(self.awaited.items())}

    @staticmethod
    def awaited_from_json(raw: object) -> dict[int, dt.datetime]:
        """Tolerates a hand-edited or older row: anything unreadable is dropped, not fatal."""
        if not isinstance(raw, Mapping):
            return {}
        awaited: dict[int, dt.datetime] = {}
        for key, value in raw.items():
            try:
                awaited[int(key)] = dt.datetime.fromisoformat(str(value))
            except ValueError:
                logger.warning("ignoring an unreadable awaited event id in the cursor: %r", key)
        return awaited


@dataclass
class WindowStep:
    """The outcome of one windowed read: events to deliver now and the cursor's next id bookkeeping."""

    fresh: list[ZmEvent]
    last_event_id: int
    awaited: dict[int, dt.datetime]
    given_up: list[int]


def advance(before: CursorState, batch: EventBatch, now: dt.datetime) -> WindowStep:
    """Keep the undelivered events of ``batch`` (read with ``Id > before.low_water``), await the gaps it left."""
    window = LateIds(before.last_event_id, MAX_WINDOW_IDS, AWAIT_PATIENCE, dict(before.awaited))
    fresh = [event for event in batch.events if window.is_pending(event.Id)]
    given_up = window.observe(batch.seen_ids, now, newest=batch.last_id)
    if given_up:
        logger.warning("zoneminder: no longer waiting for event ids %s (never became visible; rolled back "
                       "or deleted before we could read them)", _id_ranges(given_up))
    return WindowStep(fresh, window.last_id, window.awaited, given_up)


def _id_ranges(ids: list[int]) -> str:
    """``[3, 4, 5, 9]`` → ``3-5, 9`` so a long gap is one short log line."""
    parts: list[str] = []
    start = prev = ids[0]
    for event_id in [*ids[1:], None]:
        if event_id is not None and event_id == prev + 1:
            prev = event_id
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if event_id is not None:
            start = prev = event_id
    return ", ".join(parts)
