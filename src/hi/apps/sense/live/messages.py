"""Publishing committed news other than state changes (``alert``, ``mode``, ``entity``) on the live bus and feed.

One writer for every app above the pipeline: the message is recorded in the feed inside the caller's
transaction (so other processes' streams get exactly what was committed, and nothing that rolled
back), and handed to this process's bus after the commit.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import transaction

from .bus import LiveMessage, get_live_bus
from .feed import LiveFeedWriter

_writer = LiveFeedWriter()


def publish_messages(kind: str, items: list[dict[str, Any]]) -> None:
    """Several messages of one kind (the SSE event name) as one feed row, published together after commit."""
    if not items:
        return
    messages = [LiveMessage(kind=kind, data=data) for data in items]
    _writer.record(messages)
    transaction.on_commit(functools.partial(get_live_bus().publish, messages))
