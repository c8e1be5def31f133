"""Health on the live stream: each integration's availability, pushed when it changes.

Pages mark every element of an integration (``data-integration="<id>"``: cards, state rows, camera
tiles) unavailable or stale with the reason, disable their controls, and update health badges
(``data-health-badge``), so an open page shows an outage within one check without a reload.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils import timezone

from hi.apps.entity.availability import AvailabilityIndex
from hi.apps.household import timezones

from .humanize import human_error

HEALTH_CHECK_SECONDS = 2.0


def availability_snapshot() -> list[dict[str, Any]]:
    """Every integration's availability and badge, in one query (the worker's writes are the input)."""
    from hi.apps.web.templatetags.hi_web import integration_badge

    timezone.activate(timezones.current().zone)  # reasons say "since 14:02" in the household's time
    index = AvailabilityIndex()
    items = []
    for item in sorted(index.integrations(), key=lambda i: i.integration_id):
        row = index.rows.get(item.integration_id)
        badge = integration_badge(row)
        message = ""
        if row is not None and row.health_status in ("warning", "error") and (row.last_error or row.health_message):
            message = human_error(row.last_error or row.health_message, item.label).sentence
        items.append({**item.as_json(), "badge": badge, "message": message})
    return items


def availability_event(snapshot: list[dict[str, Any]]) -> str:
    return f"event: availability\ndata: {json.dumps({'integrations': snapshot}, separators=(',', ':'))}\n\n"
