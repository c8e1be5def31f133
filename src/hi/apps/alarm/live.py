"""Alarm news on the live bus and feed: ``alert`` and ``mode`` events reach every SSE stream, in any process."""

from __future__ import annotations

from typing import Any

from hi.apps.sense.live.messages import publish_messages


def publish(kind: str, data: dict[str, Any]) -> None:
    """Record ``data`` in the feed inside the caller's transaction; publish it in-process after commit."""
    publish_messages(kind, [data])


def publish_many(kind: str, items: list[dict[str, Any]]) -> None:
    """Several messages of one kind as one feed row (one statement), published together after commit."""
    publish_messages(kind, items)
