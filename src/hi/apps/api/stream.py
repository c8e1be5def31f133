"""``GET /api/v1/stream``: server-sent events for scripts and dashboards of their own.

- ``state``: one per committed state change, with whether the new value can be trusted
  (``available``, ``stale``, ``unavailable_reason``, as in entity JSON);
- ``health``: one per integration when the stream opens, then one whenever an integration's health or
  the availability it gives its states changes (the availability applies to every state of the entities
  whose ``integration_id`` it names), so a reader never has to poll ``/api/v1/health``;
- ``alert`` and ``mode`` as the alarm app publishes them; ``entity`` when an entity is detached, reconnected or
  removed (``hi.apps.entity.live``); ``resync`` where the reader fell behind.
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from hi.apps.access.streams import guard_stream
from hi.apps.entity.availability import AvailabilityIndex
from hi.apps.entity.models import Entity
from hi.apps.household import timezones
from hi.apps.sense.live.bus import BusItem, LiveMessage, StateChange
from hi.apps.sense.live.sse import event_stream_response, live_events, with_snapshots
from hi.utils.redaction import redact

from .serializers import iso

KEEPALIVE_SECONDS = 15.0
HEALTH_CHECK_SECONDS = 2.0  # how often the stream looks at the integrations' stored health


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str, separators=(',', ':'))}\n\n"


def state_availability(changes: list[StateChange]) -> dict[int, dict[str, Any]]:
    """``available``/``stale``/``unavailable_reason`` of each changed state's new value (two queries per batch)."""
    timezone.activate(timezones.current().zone)  # reasons say "since 14:02" in the household's time
    entities = {e.id: e for e in Entity.objects.filter(id__in={c.entity_id for c in changes})
                .only("id", "integration_id", "detached_key")}
    index = AvailabilityIndex()
    result = {}
    for change in changes:
        entity = entities.get(change.entity_id)
        if entity is not None:
            state = _Value(change.value, change.timestamp)
            result[change.state_id] = index.of_state(entity, state).as_json()
    return result


class _Value:
    """The two fields ``AvailabilityIndex.of_state`` reads, from the change itself (no state query)."""

    def __init__(self, value: Any, at: Any) -> None:
        self.value = value
        self.value_updated_at = at


async def _render(items: list[BusItem]) -> str:
    """Events in bus order; the states' availability is read once for the whole batch."""
    changes = [item for item in items if isinstance(item, StateChange)]
    availability = await sync_to_async(state_availability)(changes) if changes else {}
    parts = []
    for item in items:
        if isinstance(item, StateChange):
            unknown = {"available": True, "stale": False, "unavailable_reason": None}  # its entity is gone
            parts.append(_sse("state", {**item.to_dict(), **availability.get(item.state_id, unknown)}))
        elif isinstance(item, LiveMessage):
            parts.append(_sse(item.kind, item.to_dict()))
        else:
            parts.append("event: resync\ndata: {}\n\n")
    return "".join(parts)


def health_snapshot() -> dict[str, dict[str, Any]]:
    """Each integration's stored health and the availability it gives its states, by integration id (one query)."""
    timezone.activate(timezones.current().zone)
    index = AvailabilityIndex()
    snapshot = {}
    for item in index.integrations():
        row = index.rows.get(item.integration_id)
        snapshot[item.integration_id] = {
            **item.as_json(),
            "status": str(row.status) if row is not None else "not_configured",
            "health_status": str(row.health_status) if row is not None else "unknown",
            "message": redact(row.health_message) if row is not None else "",
            "since": iso(item.availability.since),
        }
    return snapshot


def render_health(snapshot: dict[str, dict[str, Any]], previous: dict[str, dict[str, Any]] | None) -> str:
    """A ``health`` event for every integration that is new or changed since ``previous``."""
    return "".join(_sse("health", data) for key, data in sorted(snapshot.items())
                   if previous is None or previous.get(key) != data)


def events(keepalive: float, health_interval: float | None = None) -> Any:
    """The API's stream: the bus's events plus health changes (tests pass a short ``health_interval``)."""
    return with_snapshots(live_events(_render, keepalive), health_interval or HEALTH_CHECK_SECONDS,
                          health_snapshot, render_health)


@login_not_required
async def stream(request: HttpRequest) -> HttpResponse:
    """Token or session required (``AccessMiddleware`` answers 401 JSON otherwise); ends when they are revoked."""
    try:
        keepalive = float(request.GET.get("keepalive", KEEPALIVE_SECONDS))
    except ValueError:
        return JsonResponse({"detail": "keepalive must be a number of seconds"}, status=400)
    keepalive = min(max(keepalive, 0.5), 60.0)
    return event_stream_response(guard_stream(request, events(keepalive)))
