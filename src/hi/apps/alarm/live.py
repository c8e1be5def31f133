"""Alarm news on the live bus and feed: ``alert`` and ``mode`` events reach every SSE stream, in any process."""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction

from hi.apps.sense.live.bus import LiveMessage, get_live_bus
from hi.apps.sense.live.feed import LiveFeedWriter

_writer = LiveFeedWriter()


def publish(kind: str, data: dict[str, Any]) -> None:
    """Record ``data`` in the feed inside the caller's transaction; publish it in-process after commit."""
    publish_many(kind, [data])


def publish_many(kind: str, items: list[dict[str, Any]]) -> None:
    """Several messages of one kind as one feed row (one statement), published together after commit."""
    if not items:
        return
    messages = [LiveMessage(kind=kind, data=data) for data in items]
    _writer.record(messages)
    transaction.on_commit(functools.partial(get_live_bus().publish, messages))
