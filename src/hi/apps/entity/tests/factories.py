"""Small builders for tests: an entity with one state and its sensor/controller, keyed like an integration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hi.apps.control.models import Controller
from hi.apps.entity.enums import EntityType, default_value_range
from hi.apps.entity.models import Entity, EntityState
from hi.apps.sense.models import Sensor


@dataclass
class Device:
    entity: Entity
    state: EntityState
    sensor: Sensor
    controller: Controller | None


def make_device(name: str, state_type: str, *, integration_id: str = "test", value: Any = None,
                value_range: Any = None, controllable: bool = False, state_name: str = "",
                entity_type: str = EntityType.OTHER) -> Device:
    """One entity with one state, a sensor keyed ``integration_id:name`` and optionally a controller."""
    entity = Entity.objects.create(name=name, entity_type=entity_type, integration_id=integration_id,
                                   integration_name=name)
    state = EntityState.objects.create(
        entity=entity, state_key="main", name=state_name or name, state_type=state_type,
        value_range=value_range if value_range is not None else default_value_range(state_type), value=value)
    sensor = Sensor.objects.create(entity_state=state, name=name, integration_id=integration_id,
                                   integration_name=name, last_value=value)
    controller = None
    if controllable:
        controller = Controller.objects.create(entity_state=state, name=name, integration_id=integration_id,
                                               integration_name=name)
    return Device(entity, state, sensor, controller)
