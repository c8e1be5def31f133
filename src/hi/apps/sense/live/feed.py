"""The durable change feed: each committed batch's StateChanges as one ``LiveChange`` row.

The pipeline writes the row in the batch's own transaction, so the feed holds exactly what was
committed; ``live.bridge`` tails it in processes whose SSE listeners have no in-process worker.
Rows carry the writing process's ``origin`` so a process never republishes its own changes, and
are pruned by age and count every few seconds by the writers (one DELETE, no per-batch cost).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Max, Q
from django.utils import timezone

from ..bulk import insert_values
from ..models import LiveChange
from .bus import LiveMessage, Published, StateChange

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "hi_live_change"
MAX_AGE = dt.timedelta(minutes=5)
KEEP_ROWS = 10_000
PRUNE_INTERVAL = 10.0  # seconds between prunes by one writer

_origin = uuid.uuid4().hex


def _new_origin() -> None:
    global _origin
    _origin = uuid.uuid4().hex


os.register_at_fork(after_in_child=_new_origin)  # a forked web worker is a process of its own


def process_origin() -> str:
    """This process's identity in the feed (a fresh one in every forked child)."""
    return _origin


def encode(changes: Iterable[Published]) -> list[dict[str, Any]]:
    """The JSON stored for a batch: the SSE shape plus the previous value (messages as ``{kind, data}``)."""
    return [{"kind": change.kind, "data": change.data} if isinstance(change, LiveMessage)
            else change.to_dict() | {"previous_value": change.previous_value} for change in changes]


def _decode_one(item: dict[str, Any]) -> Published:
    if "kind" in item:
        return LiveMessage(kind=str(item["kind"]), data=dict(item["data"]))
    return StateChange(entity_id=int(item["entity_id"]), state_id=int(item["state_id"]),
                       integration_keys=tuple(item["integration_keys"]), value=item["value"],
                       previous_value=item.get("previous_value"),
                       timestamp=dt.datetime.fromisoformat(item["timestamp"]))


def decode(items: Sequence[dict[str, Any]]) -> tuple[Published, ...]:
    """Changes back from a row; raises ``ValueError`` (or ``KeyError``/``TypeError``) on a malformed one."""
    return tuple(_decode_one(item) for item in items)


class LiveFeedWriter:
    """Appends batches to the feed (inside the caller's transaction) and prunes it now and then."""

    def __init__(self, origin: str | None = None, *, max_age: dt.timedelta = MAX_AGE,
                 keep_rows: int = KEEP_ROWS, prune_interval: float = PRUNE_INTERVAL) -> None:
        self.origin = origin
        self.max_age = max_age
        self.keep_rows = keep_rows
        self.prune_interval = prune_interval
        self._last_prune = time.monotonic()  # the first prune waits one interval, like every later one

    def record(self, changes: Sequence[Published], now: dt.datetime | None = None) -> None:
        """One row for the batch; on PostgreSQL a NOTIFY (sent at commit) wakes tailing bridges."""
        if not changes:
            return
        now = now or timezone.now()
        insert_values(LiveChange, ["created_at", "origin", "changes"],
                      [(now, self.origin or process_origin(), encode(changes))])
        connection = connections[router.db_for_write(LiveChange)]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"NOTIFY {NOTIFY_CHANNEL}")
        if time.monotonic() - self._last_prune >= self.prune_interval:
            self._last_prune = time.monotonic()
            prune(now, max_age=self.max_age, keep_rows=self.keep_rows)


def prune(now: dt.datetime | None = None, *, max_age: dt.timedelta = MAX_AGE, keep_rows: int = KEEP_ROWS) -> int:
    """Delete rows older than ``max_age`` or beyond the newest ``keep_rows``; returns how many went."""
    newest = LiveChange.objects.aggregate(newest=Max("id"))["newest"]
    if newest is None:
        return 0
    cutoff = (now or timezone.now()) - max_age
    deleted, _ = LiveChange.objects.filter(Q(id__lte=newest - keep_rows) | Q(created_at__lt=cutoff)).delete()
    return deleted


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One row as the bridge reads it."""

    id: int
    origin: str
    changes: list[dict[str, Any]]


def tail_id() -> int:
    """The newest row's id (0 for an empty feed): where a bridge starts, so history is not replayed."""
    return LiveChange.objects.aggregate(newest=Max("id"))["newest"] or 0


def read_after(cursor: int, missing: Iterable[int] = (), limit: int = 500) -> list[FeedRow]:
    """Rows after ``cursor`` plus any of the ``missing`` ids that have appeared since, in id order."""
    condition = Q(id__gt=cursor)
    missing = list(missing)
    if missing:
        condition |= Q(id__in=missing)
    rows = LiveChange.objects.filter(condition).order_by("id").values_list("id", "origin", "changes")[:limit]
    return [FeedRow(row_id, origin, changes) for row_id, origin, changes in rows]
