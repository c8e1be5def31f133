"""Planning a sync: compare an Inventory with what the database holds for that integration.

The plan is built from unsaved model instances and changed rows, so applying it is a handful
of bulk statements. Everything the integration has is read in a fixed number of queries.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from hi.apps.control.models import Controller
from hi.apps.entity.enums import AttributeSource, EntityStateType, EntityType, default_value_range
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.places.models import Location
from hi.apps.places.suggest import SuggestionResolver, suggestion_text
from hi.apps.sense.models import Sensor

from .inventory import ExternalController, ExternalEntity, ExternalSensor, ExternalState, Inventory
from .ownership import entities_with_user_data, integration_entity_filter

logger = logging.getLogger(__name__)

ACTIONS = ("create", "update", "reconnect", "detach", "remove")
_STATE_TYPES = frozenset(EntityStateType.values)
_ENTITY_TYPES = frozenset(EntityType.values)


_SCALARS = (str, int, float, bool, type(None))


def _json(value: Any) -> Any:
    """The value as JSONField gives it back, so comparisons with stored values are exact."""
    if value is None or type(value) in _SCALARS:
        return value
    if type(value) is dict and all(type(k) is str and type(v) in _SCALARS for k, v in value.items()):
        return value
    if type(value) is list and all(type(v) in _SCALARS for v in value):
        return value
    return json.loads(json.dumps(value, default=str))


@dataclass
class EntityAction:
    """One entity's fate in a plan, with the human-readable list of what changes."""

    action: str
    key: str
    name: str
    changes: list[str] = field(default_factory=list)
    entity_id: int | None = None  # the existing entity a reconnect, detach or remove concerns (live events)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "key": self.key, "name": self.name, "changes": self.changes}


@dataclass
class SyncPlan:
    """What ``apply_sync`` will do; ``to_dict`` is what a dry run shows."""

    integration_id: str
    complete: bool
    remove_missing: bool
    actions: list[EntityAction] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    new_entities: list[Entity] = field(default_factory=list)
    new_states: list[EntityState] = field(default_factory=list)
    new_sensors: list[Sensor] = field(default_factory=list)
    new_controllers: list[Controller] = field(default_factory=list)
    new_attributes: list[EntityAttribute] = field(default_factory=list)
    changed: dict[type, dict[int, Any]] = field(default_factory=lambda: defaultdict(dict))
    changed_fields: dict[type, set[str]] = field(default_factory=lambda: defaultdict(set))
    links: list[tuple[Sensor | Controller, EntityState]] = field(default_factory=list)
    deleted: dict[type, set[int]] = field(default_factory=lambda: defaultdict(set))
    skipped: dict[str, int] = field(default_factory=dict)
    new_locations: list[Location] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(ACTIONS, 0)
        for action in self.actions:
            counts[action.action] += 1
        return counts

    @property
    def is_empty(self) -> bool:
        return not self.actions

    def detail_counts(self) -> dict[str, int]:
        return {
            "states_created": len(self.new_states), "sensors_created": len(self.new_sensors),
            "controllers_created": len(self.new_controllers),
            "states_removed": len(self.deleted[EntityState]), "sensors_removed": len(self.deleted[Sensor]),
            "controllers_removed": len(self.deleted[Controller]),
            "locations_created": len(self.new_locations),
        }

    def to_dict(self) -> dict[str, Any]:
        names: dict[str, list[str]] = {action: [] for action in ACTIONS}
        for action in self.actions:
            names[action.action].append(action.name)
        return {
            "integration_id": self.integration_id, "complete": self.complete,
            "remove_missing": self.remove_missing, "counts": self.counts, "names": names,
            "details": self.detail_counts(), "actions": [a.to_dict() for a in self.actions],
            "warnings": list(self.warnings), "skipped": dict(self.skipped),
        }

    # -- building helpers -----------------------------------------------------------------------
    def change(self, row: Any, field_name: str, value: Any) -> None:
        setattr(row, field_name, value)
        self.changed[type(row)][row.pk] = row
        self.changed_fields[type(row)].add(field_name)


class _Existing:
    """Everything the database holds for one integration, indexed for matching."""

    def __init__(self, integration_id: str) -> None:
        scope = integration_entity_filter(integration_id)
        self.entities = list(Entity.objects.filter(scope).defer("created_at").order_by("id"))
        self.live = {e.integration_name: e for e in self.entities if e.integration_id == integration_id}
        self.detached: dict[str, Entity] = {}
        for entity in self.entities:
            if entity.integration_id is None:
                self.detached.setdefault(entity.detached_key, entity)
        self.states: dict[int, dict[str, EntityState]] = defaultdict(dict)
        for state in (EntityState.objects.filter(integration_entity_filter(integration_id, "entity__"))
                      .defer("value", "value_updated_at")):
            self.states[state.entity_id][state.state_key] = state
        self.sensors = _KeyedRows(Sensor, integration_id)
        self.controllers = _KeyedRows(Controller, integration_id)
        # plain rows, not model instances: only compared and deleted by id (a 5,000-item HomeBox has ~35,000)
        self.attributes: dict[int, list[Any]] = defaultdict(list)
        for attribute in (EntityAttribute.objects.filter(integration_entity_filter(integration_id, "entity__"),
                                                         source=AttributeSource.INTEGRATION)
                          .values_list("id", "entity_id", "name", "value", "value_type", named=True)):
            self.attributes[attribute.entity_id].append(attribute)


class _KeyedRows:
    """Sensors or controllers of one integration, by live key, by detached key and by state."""

    def __init__(self, model: type[Sensor] | type[Controller], integration_id: str) -> None:
        deferred = ("created_at", "last_value", "last_response_at") if model is Sensor else ("created_at",)
        rows = list(model.objects.filter(integration_entity_filter(integration_id)).defer(*deferred).order_by("id"))
        self.live = {row.integration_name: row for row in rows if row.integration_id == integration_id}
        self.detached: dict[str, Any] = {}
        self.by_state: dict[int, list[Any]] = defaultdict(list)
        for row in rows:
            if row.integration_id is None:
                self.detached.setdefault(row.detached_key, row)
            self.by_state[row.entity_state_id].append(row)
        self.claimed: set[int] = set()


class _Planner:
    def __init__(self, integration_id: str, inventory: Inventory, remove_missing: bool) -> None:
        self.integration_id = integration_id
        self.inventory = inventory
        self.existing = _Existing(integration_id)
        self.plan = SyncPlan(integration_id, inventory.complete, remove_missing, skipped=dict(inventory.skipped))
        self.now = timezone.now()
        self.kept_states: list[EntityState] = []
        self.actions_by_entity: dict[int, EntityAction] = {}
        self.places = SuggestionResolver()

    def warn(self, message: str) -> None:
        self.plan.warnings.append(message)
        logger.warning("sync %s: %s", self.integration_id, message)

    def run(self) -> SyncPlan:
        seen: set[str] = set()
        for external in self.inventory.entities:
            key = str(external.key)
            if external.key.integration_id != self.integration_id:
                self.warn(f"skipped {key}: it belongs to another integration")
            elif key in seen:
                self.warn(f"skipped a second entity with key {key}")
            else:
                seen.add(key)
                self.entity(external)
        self.drop_unclaimed_children()
        self.missing()
        self.plan.new_locations = self.places.created
        return self.plan

    # -- entities -------------------------------------------------------------------------------
    def entity(self, external: ExternalEntity) -> None:
        key = str(external.key)
        name = external.name[:200] or external.key.integration_name[:200]
        entity_type = external.entity_type if external.entity_type in _ENTITY_TYPES else EntityType.OTHER
        payload = _json(dict(external.payload)) or {}
        entity = self.existing.live.pop(external.key.integration_name, None)
        action = EntityAction("update", key, name)
        if entity is None:
            entity = self.existing.detached.pop(key, None)
            if entity is not None:
                action.action, action.entity_id = "reconnect", entity.pk
                entity.reconnect(external.key)
                for field_name in ("integration_id", "integration_name", "detached_key"):
                    self.plan.change(entity, field_name, getattr(entity, field_name))
        if entity is None:
            action.action = "create"
            entity = Entity(name=name, entity_type=entity_type, integration_id=external.key.integration_id,
                            integration_name=external.key.integration_name, integration_payload=payload)
            self.plan.new_entities.append(entity)
            self.suggest_location(entity, external, None)
            for state in self.valid_states(external):
                self.new_state(entity, state)
            self.replace_attributes(entity, external, [])
            self.plan.actions.append(action)
            return
        action.name = entity.name if "name" in entity.user_fields else name
        self.actions_by_entity[entity.pk] = action
        for field_name, value in (("name", name), ("entity_type", entity_type), ("integration_payload", payload)):
            if field_name not in entity.user_fields and getattr(entity, field_name) != value:
                self.plan.change(entity, field_name, value)
                action.changes.append(f"{field_name} changed")
        self.suggest_location(entity, external, action)
        self.states(entity, external, action)
        if self.replace_attributes(entity, external, self.existing.attributes.get(entity.pk, [])):
            action.changes.append("attributes changed")
        if action.changes or action.action == "reconnect":
            if entity.pk in self.plan.changed[Entity]:
                self.plan.change(entity, "updated_at", self.now)
            self.plan.actions.append(action)

    def suggest_location(self, entity: Entity, external: ExternalEntity, action: EntityAction | None) -> None:
        """Apply the integration's room suggestion once: only a suggestion not applied before, and never
        over a person's choice (``location`` in ``user_fields``). Missing places are created."""
        text = suggestion_text(external.location)
        if not text or text == entity.location_suggestion or "location" in entity.user_fields:
            return
        location = self.places.resolve(external.location)
        if action is None:  # a new entity: set on the unsaved row
            entity.location, entity.location_suggestion = location, text
            return
        if location is None or location.pk is None or entity.location_id != location.pk:
            self.plan.change(entity, "location", location)
            action.changes.append(f"location suggested: {text}")
        self.plan.change(entity, "location_suggestion", text)

    def valid_states(self, external: ExternalEntity) -> list[ExternalState]:
        states: dict[str, ExternalState] = {}
        for state in external.states:
            if state.state_type not in _STATE_TYPES:
                self.warn(f"{external.key}: skipped state {state.state_key!r} of unknown type {state.state_type!r}")
            elif state.state_key in states:
                self.warn(f"{external.key}: skipped a second state {state.state_key!r}")
            else:
                states[state.state_key] = state
        return list(states.values())

    def states(self, entity: Entity, external: ExternalEntity, action: EntityAction) -> None:
        existing = dict(self.existing.states.get(entity.pk, {}))
        for ext_state in self.valid_states(external):
            state = existing.pop(ext_state.state_key, None)
            if state is None:
                self.new_state(entity, ext_state)
                action.changes.append(f"state {ext_state.state_key} added")
                continue
            self.kept_states.append(state)
            value_range = _json(ext_state.value_range if ext_state.value_range is not None
                                else default_value_range(ext_state.state_type))
            wanted = {"name": ext_state.name[:200] or ext_state.state_key, "state_type": ext_state.state_type,
                      "value_range": value_range, "units": ext_state.units[:32]}
            for field_name, value in wanted.items():
                if field_name not in state.user_fields and getattr(state, field_name) != value:
                    self.plan.change(state, field_name, value)
                    action.changes.append(f"state {state.state_key} {field_name} changed")
            self.child(self.existing.sensors, Sensor, state, ext_state.sensor, action, "sensor")
            self.child(self.existing.controllers, Controller, state, ext_state.controller, action, "controller")
        for state in existing.values():
            self.plan.deleted[EntityState].add(state.pk)
            action.changes.append(f"state {state.state_key} removed")

    def new_state(self, entity: Entity, ext_state: ExternalState) -> None:
        value = _json(ext_state.value)
        state = EntityState(
            entity=entity, state_key=ext_state.state_key[:100], name=ext_state.name[:200] or ext_state.state_key,
            state_type=ext_state.state_type, units=ext_state.units[:32], value=value,
            value_range=_json(ext_state.value_range if ext_state.value_range is not None
                              else default_value_range(ext_state.state_type)),
            # no timestamp: the first sensor response (stamped by the external clock) must not look older
            value_updated_at=None)
        self.plan.new_states.append(state)
        self.child(self.existing.sensors, Sensor, state, ext_state.sensor, None, "sensor")
        self.child(self.existing.controllers, Controller, state, ext_state.controller, None, "controller")

    def child(self, rows: _KeyedRows, model: type[Sensor] | type[Controller], state: EntityState,
              external: ExternalSensor | ExternalController | None, action: EntityAction | None,
              label: str) -> None:
        """Match a sensor/controller by key (live, then detached), moving it here if it sat elsewhere."""
        if external is None:
            return
        name = external.name[:200] or external.key.integration_name[:200]
        payload = _json(dict(external.payload)) or {}
        if external.key.integration_id != self.integration_id:
            self.warn(f"skipped {label} {external.key}: it belongs to another integration")
            return
        row = rows.live.get(external.key.integration_name)
        if row is not None and row.pk in rows.claimed:
            self.warn(f"skipped a second {label} with key {external.key}")
            return
        notes: list[str] = []
        if row is None:
            row = rows.detached.pop(str(external.key), None)
            if row is not None:
                row.reconnect(external.key)
                for field_name in ("integration_id", "integration_name", "detached_key"):
                    self.plan.change(row, field_name, getattr(row, field_name))
                notes.append(f"{label} {external.key} reconnected")
        if row is None:
            new = model(entity_state=state, name=name, integration_id=external.key.integration_id,
                        integration_name=external.key.integration_name, integration_payload=payload)
            (self.plan.new_sensors if model is Sensor else self.plan.new_controllers).append(new)
            if action is not None:
                action.changes.append(f"{label} {external.key} added")
            return
        rows.claimed.add(row.pk)
        if state.pk is None or row.entity_state_id != state.pk:
            self.plan.links.append((row, state))
            self.plan.changed[model][row.pk] = row
            self.plan.changed_fields[model].add("entity_state")
            notes.append(f"{label} {external.key} moved")
        for field_name, value in (("name", name), ("integration_payload", payload)):
            if getattr(row, field_name) != value:
                self.plan.change(row, field_name, value)
                notes.append(f"{label} {external.key} {field_name} changed")
        if action is not None:
            action.changes.extend(notes)

    def replace_attributes(self, entity: Entity, external: ExternalEntity, current: list[Any]) -> bool:
        wanted = sorted({(a.name[:200], a.value or a.file_url, a.value_type) for a in external.attributes})
        have = sorted((a.name, a.value, a.value_type) for a in current)
        if wanted == have:
            return False
        self.plan.deleted[EntityAttribute].update(a.id for a in current)
        self.plan.new_attributes.extend(
            EntityAttribute(entity=entity, name=name, value=value, value_type=value_type,
                            source=AttributeSource.INTEGRATION) for name, value, value_type in wanted)
        return bool(current)

    # -- what the inventory no longer has --------------------------------------------------------
    def drop_unclaimed_children(self) -> None:
        """Sensors/controllers on kept states that the inventory no longer lists are removed."""
        for rows, model in ((self.existing.sensors, Sensor), (self.existing.controllers, Controller)):
            for state in self.kept_states:
                for row in rows.by_state.get(state.pk, []):
                    if row.pk not in rows.claimed and row.integration_id == self.integration_id:
                        self.plan.deleted[model].add(row.pk)
                        self.note(state.entity_id, f"{model.__name__.lower()} {row.integration_key} removed")

    def note(self, entity_id: int, text: str) -> None:
        action = self.actions_by_entity[entity_id]
        action.changes.append(text)
        if not any(existing is action for existing in self.plan.actions):
            self.plan.actions.append(action)

    def missing(self) -> None:
        leftovers = list(self.existing.live.values())
        if not self.inventory.complete:
            if leftovers:
                self.warn(f"the inventory was incomplete; {len(leftovers)} entities not in it were left alone")
            return
        user_owned: set[int] = set()
        if self.plan.remove_missing:  # only removal needs to know which entities carry a person's work
            user_owned = entities_with_user_data(self.existing.entities, self.integration_id)
            leftovers += [e for e in self.existing.detached.values() if e.pk not in user_owned]
        for entity in leftovers:
            key = str(entity.integration_key or entity.detached_key)
            if self.plan.remove_missing and entity.pk not in user_owned:
                self.plan.deleted[Entity].add(entity.pk)
                self.plan.actions.append(EntityAction("remove", key, entity.name, entity_id=entity.pk))
                continue
            entity.detach()
            for field_name in ("integration_id", "integration_name", "detached_key"):
                self.plan.change(entity, field_name, getattr(entity, field_name))
            for rows in (self.existing.sensors, self.existing.controllers):
                for state in self.existing.states.get(entity.pk, {}).values():
                    for row in rows.by_state.get(state.pk, []):
                        if row.pk not in rows.claimed and row.integration_id is not None:
                            row.detach()
                            for field_name in ("integration_id", "integration_name", "detached_key"):
                                self.plan.change(row, field_name, getattr(row, field_name))
            self.plan.actions.append(EntityAction("detach", key, entity.name, entity_id=entity.pk))


def plan_sync(integration_id: str, inventory: Inventory, remove_missing: bool = False) -> SyncPlan:
    """Compare ``inventory`` with the database and return what a sync would change (nothing is written)."""
    if inventory.integration_id != integration_id:
        raise ValueError(f"inventory is for {inventory.integration_id!r}, not {integration_id!r}")
    return _Planner(integration_id, inventory, remove_missing).run()
