"""The page's live feed: server-sent events carrying ready-to-swap state badges for htmx's SSE extension.

Each committed change becomes ``event: state-<id>`` whose data is the badge HTML, so any element
with ``sse-swap="state-<id>"`` updates itself; pages need no JSON handling of their own. Alarm news
and entity changes (detached, reconnected, removed) come as their own events, which app.js handles.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from hi.apps.access.streams import guard_stream
from hi.apps.entity.models import EntityState
from hi.apps.household import timezones
from hi.apps.sense.live.bus import BusItem, LiveMessage, StateChange
from hi.apps.sense.live.sse import event_stream_response, live_events, with_snapshots
from hi.apps.web.live_health import HEALTH_CHECK_SECONDS, availability_event, availability_snapshot
from hi.apps.web.widgets import badge_html

KEEPALIVE_SECONDS = 15.0


def render_state_events(state_ids: Iterable[int]) -> str:
    """One SSE message per state, its data the badge as the pages render it (one query in all).

    Runs after the request's middleware has finished, so it activates the household's zone itself.
    """
    timezone.activate(timezones.current().zone)
    states = EntityState.objects.filter(id__in=set(state_ids)).only(
        "id", "state_type", "value", "units", "value_range", "value_updated_at")
    messages = []
    for state in states:
        data = "\n".join(f"data: {line}" for line in str(badge_html(state)).splitlines())
        messages.append(f"event: state-{state.id}\n{data}\n\n")
    return "".join(messages)


def _sse(event: str, text: str) -> str:
    data = "\n".join(f"data: {line}" for line in (text.splitlines() or [""]))
    return f"event: {event}\n{data}\n\n"


def render_alarm_events(messages: list[LiveMessage]) -> str:
    """Alarm news for the page: the banner re-rendered once, the header's open-alert count, a sound per
    newly open alert, the mode."""
    from hi.apps.web.context_processors import alarm_banner

    from .alarm import banner_html

    parts: list[str] = []
    if any(m.kind == "alert" for m in messages):
        banner = alarm_banner()
        parts.append(_sse("alarm-banner", banner_html(banner)))
        parts.append(_sse("alarm-count", str(banner["total"])))
        parts.extend(_sse("alarm-sound", str(m.data.get("level", "info"))) for m in messages
                     if m.kind == "alert" and m.data.get("state") == "open")
    parts.extend(_sse("alarm-mode", json.dumps(m.data)) for m in messages if m.kind == "mode")
    return "".join(parts)


def render_entity_events(messages: list[LiveMessage]) -> str:
    """Entities detached, reconnected or removed, as one ``entity`` event per batch (``{"entities": [...]}``):
    app.js refreshes what shows them (the home page's cards) and greys out the rest."""
    entities = [{key: m.data.get(key) for key in ("entity_id", "change", "name")} for m in messages if m.kind == "entity"]
    return _sse("entity", json.dumps({"entities": entities})) if entities else ""


async def _render(items: list[BusItem]) -> str:
    """A ``resync`` first if the reader fell behind (the bus drops the older backlog), then badges, alarm news
    and entity changes."""
    changes = [item for item in items if isinstance(item, StateChange)]
    messages = [item for item in items if isinstance(item, LiveMessage)]
    alarm_messages = [m for m in messages if m.kind != "entity"]
    resync = "event: resync\ndata: resync\n\n" if len(changes) + len(messages) < len(items) else ""
    badges = await sync_to_async(render_state_events)(change.state_id for change in changes) if changes else ""
    news = await sync_to_async(render_alarm_events)(alarm_messages) if alarm_messages else ""
    return resync + badges + news + render_entity_events(messages)


def with_health(inner: AsyncIterator[str], interval: float) -> AsyncIterator[str]:
    """``inner``'s messages, plus an ``availability`` event at once and whenever integration health changes."""
    return with_snapshots(inner, interval, availability_snapshot,
                          lambda snapshot, _previous: availability_event(snapshot))


def _events(keepalive: float, health_interval: float = HEALTH_CHECK_SECONDS) -> AsyncIterator[str]:
    """The page feed with the given keepalive and health check interval (tests pass short ones)."""
    return with_health(live_events(_render, keepalive), health_interval)


async def stream(request: HttpRequest) -> HttpResponse:
    """Only for signed-in people (the access middleware turns others away); ends when the session logs out."""
    return event_stream_response(guard_stream(request, _events(KEEPALIVE_SECONDS)))
