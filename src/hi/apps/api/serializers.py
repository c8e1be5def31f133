"""The JSON shapes scripts rely on (DESIGN.md "Interfaces that must stay stable"), shared by API and CLI."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hi.apps.control.models import ControllerHistory
from hi.apps.entity.availability import Availability, AvailabilityIndex
from hi.apps.entity.models import Entity, EntityState
from hi.apps.event.models import Event
from hi.apps.places.tree import LocationTree
from hi.integrations import integration_factory


def iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def state_json(state: EntityState, availability: Availability | None = None) -> dict[str, Any]:
    """One state; ``available``/``stale``/``unavailable_reason`` say whether its value is current."""
    current = (availability or Availability(True, False)).as_json()
    return {
        "id": state.id,
        "name": state.name,
        "state_type": state.state_type,
        "value": state.value,
        "units": state.units,
        "updated_at": iso(state.value_updated_at),
        **current,
        "sensors": [{"id": s.id, "integration_key": s.integration_key_str} for s in state.sensors.all()],
        "controllers": [{"id": c.id, "integration_key": c.integration_key_str} for c in state.controllers.all()],
    }


def entity_json(entity: Entity, tree: LocationTree | None = None, *,
                index: AvailabilityIndex | None = None) -> dict[str, Any]:
    """Entity JSON; prefetch ``states__sensors`` and ``states__controllers`` to keep queries bounded, and
    pass one ``tree`` (``LocationTree.load()``) and one availability ``index`` when rendering many, so
    paths and availability cost one query each in all."""
    if tree is None and entity.location_id is not None:
        tree = LocationTree.load()
    index = index or AvailabilityIndex()
    return {
        "id": entity.id,
        "name": entity.name,
        "entity_type": entity.entity_type,
        "integration_key": entity.integration_key_str,
        "location": tree.ref(entity.location_id) if tree is not None and entity.location_id else None,
        "states": [state_json(state, index.of_state(entity, state)) for state in entity.states.all()],
    }


def entities_with_states(queryset: Any) -> Any:
    return queryset.prefetch_related("states__sensors", "states__controllers")


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "entity_id": event.entity_id,
        "state_id": event.entity_state_id,
        "value": event.value,
        "start": iso(event.start),
        "end": iso(event.end),
        "duration_seconds": event.duration_seconds,
        "details": event.details or {},
        "media": event_media_json(event),
    }


def event_media_json(event: Event) -> dict[str, Any] | None:
    """``{thumbnail, playback, playback_type}`` of a camera event (proxied paths), None for other events.

    Select ``entity`` with the events: the owning integration's gateway decides from the entity and the
    event's details, without any network.
    """
    entity = event.entity
    if not entity.integration_id or entity.integration_id not in integration_factory.available_integration_ids():
        return None
    media = integration_factory.get_gateway(entity.integration_id).event_media(entity, event)
    return media.as_json() if media is not None else None


def control_json(history: ControllerHistory) -> dict[str, Any]:
    return {
        "id": history.id,
        "controller_id": history.controller_id,
        "integration_key": history.controller.integration_key_str,
        "requested_value": history.requested_value,
        "requested_by": history.requested_by,
        "requested_at": iso(history.requested_at),
        "outcome": history.outcome,
        "message": history.message,
        "latency_ms": history.latency_ms,
        "confirmed_at": iso(history.confirmed_at),
    }
