"""``entity`` events on the live stream: an entity was detached from its integration, reconnected, or removed.

State events say a value changed; these say the thing itself changed owner or went away, which changes
how every open page must show it (a detached entity's values can no longer be trusted, its controls
are off, a removed one is gone). The sync engine and the integration lifecycle publish them in the
transaction that makes the change, so readers hear of it exactly when it is committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from hi.apps.sense.live.messages import publish_messages

EVENT = "entity"
CHANGES = ("detached", "reconnected", "removed")


def entity_event(entity_id: int, name: str, change: str, key: str, at: Any = None) -> dict[str, Any]:
    """The ``entity`` event's data: ``{entity_id, name, change, key, timestamp}`` (``key``: the integration key
    it was detached from, reconnected to, or last had)."""
    if change not in CHANGES:
        raise ValueError(f"unknown entity change {change!r}")
    return {"entity_id": entity_id, "name": name, "change": change, "key": key or None,
            "timestamp": (at or timezone.now()).isoformat()}


def publish_entity_changes(changes: Iterable[tuple[int, str, str, str]]) -> None:
    """Publish ``(entity_id, name, change, key)`` tuples as ``entity`` events after the caller's commit."""
    now = timezone.now()
    publish_messages(EVENT, [entity_event(entity_id, name, change, key, now) for entity_id, name, change, key in changes])
