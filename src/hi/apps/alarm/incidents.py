"""Alert-event states: conditions on an integration's own alerts (the weather's severe-weather warnings).

An integration declares, through its gateway's ``Presentation.alerts``, a state whose *open Events*
are alerts (each a correlated event: one NWS alert id, its severity and headline in the details).
The state's value is only a summary, so the condition ``{"state": S, "op": "alert", "value":
"extreme"}`` reads the open events instead: it holds while an alert of that severity is open, and
each alert id is its own incident (a second warning while the first is still open is a new alert,
not a repeat of the first). The alarm app never imports the weather service: the gateway's
presentation names the state, and the event details carry the severity.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from hi.apps.entity.models import Entity, EntityState
from hi.apps.event.models import Event

logger = logging.getLogger(__name__)

ALERT_OP = "alert"
SEVERITIES = ("extreme", "severe", "moderate", "minor", "any")
KEY_PREFIX = "alerts:"


def alerts_state_key(entity: Entity) -> str:
    """The state key whose open events are this entity's alerts ("" when its integration declares none)."""
    from hi.integrations import integration_factory

    if not entity.integration_id or entity.integration_id not in integration_factory.available_integration_ids():
        return ""
    try:
        layout = integration_factory.get_gateway(entity.integration_id).presentation(entity)
    except Exception:  # a gateway's bug must not stop rules from loading
        logger.exception("presentation of %s failed", entity.integration_id)
        return ""
    return layout.alerts if layout is not None else ""


def is_alerts_state(state: EntityState) -> bool:
    key = alerts_state_key(state.entity)
    return bool(key) and key == state.state_key


def key_for(state_id: int) -> str:
    """What an alert condition reads in the engine's value map (not the state's value: its open events)."""
    return f"{KEY_PREFIX}{state_id}"


def alert_state_ids(conditions: Iterable[Mapping[str, Any]]) -> set[int]:
    return {c["state"] for c in conditions if c.get("op") == ALERT_OP}


def open_alerts(state_ids: Iterable[int]) -> dict[str, dict[str, dict[str, Any]]]:
    """Open correlated events per alerts state (one query): ``{"alerts:<id>": {correlation id: info}}``."""
    ids = set(state_ids)
    found: dict[str, dict[str, dict[str, Any]]] = {key_for(sid): {} for sid in ids}
    if not ids:
        return found
    rows = (Event.objects.filter(entity_state_id__in=ids, end__isnull=True).exclude(correlation_id="")
            .order_by("start", "id").values_list("id", "entity_state_id", "correlation_id", "value", "details"))
    for event_id, state_id, correlation_id, value, details in rows:
        details = details if isinstance(details, dict) else {}
        found[key_for(state_id)][correlation_id] = {
            "event_id": event_id, "severity": str(details.get("severity") or "unknown").lower(),
            "event": str(details.get("event") or value or "alert"), "headline": str(details.get("headline") or "")}
    return found


def matching(condition: Mapping[str, Any], value: Any) -> dict[str, dict[str, Any]]:
    """The open alerts (by correlation id) an alert condition matches: its severity, or any."""
    if not isinstance(value, Mapping):
        return {}
    wanted = str(condition.get("value", "")).lower()
    return {cid: info for cid, info in value.items() if wanted == "any" or info.get("severity") == wanted}


def describe(info: Mapping[str, Any]) -> str:
    """One line for an alert's page and its notifications: the headline, else the event's name."""
    return (str(info.get("headline") or "") or str(info.get("event") or "alert"))[:300]
