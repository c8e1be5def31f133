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
    message = LiveMessage(kind=kind, data=data)
    _writer.record([message])
    transaction.on_commit(functools.partial(get_live_bus().publish, [message]))
