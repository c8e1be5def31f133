"""Builds homes of any size for the page tests and the UI benchmark, in a few bulk statements."""

from __future__ import annotations

from django.utils import timezone

from hi.apps.control.models import Controller
from hi.apps.entity.enums import EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityState
from hi.apps.sense.models import Sensor


def build_home(count: int, integration_id: str = "hass") -> list[Entity]:
    """``count`` entities alternating lights (on/off + dimmer, controllable) and thermometers."""
    now = timezone.now()
    entities = Entity.objects.bulk_create([
        Entity(name=f"{'Light' if i % 2 == 0 else 'Thermometer'} {i:05d}",
               entity_type=EntityType.LIGHT if i % 2 == 0 else EntityType.SENSOR,
               integration_id=integration_id, integration_name=f"thing.{i}")
        for i in range(count)])
    states: list[EntityState] = []
    for i, entity in enumerate(entities):
        if i % 2 == 0:
            states.append(EntityState(entity=entity, state_key="power", name="Power", state_type=EntityStateType.ON_OFF,
                                      value="on" if i % 4 == 0 else "off", value_updated_at=now))
            states.append(EntityState(entity=entity, state_key="level", name="Brightness",
                                      state_type=EntityStateType.LIGHT_DIMMER, value=i % 100,
                                      value_range={"min": 0, "max": 100}, value_updated_at=now))
        else:
            states.append(EntityState(entity=entity, state_key="temperature", name="Temperature",
                                      state_type=EntityStateType.TEMPERATURE, units="°C", value=20 + i % 5 / 2,
                                      value_updated_at=now))
    states = EntityState.objects.bulk_create(states)
    Sensor.objects.bulk_create([Sensor(entity_state=s, name=s.name, integration_id=integration_id,
                                       integration_name=f"{s.entity.integration_name}.{s.state_key}") for s in states])
    Controller.objects.bulk_create([Controller(entity_state=s, name=s.name, integration_id=integration_id,
                                               integration_name=f"{s.entity.integration_name}.{s.state_key}")
                                    for s in states if s.state_type != EntityStateType.TEMPERATURE])
    return entities
