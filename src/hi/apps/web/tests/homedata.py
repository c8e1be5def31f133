"""Builds homes of any size for the page tests and the UI benchmark, in a few bulk statements."""

from __future__ import annotations

from django.utils import timezone

from hi.apps.control.models import Controller
from hi.apps.entity.enums import EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityState
from hi.apps.places.models import Location, LocationKind
from hi.apps.places.tree import LocationTree
from hi.apps.sense.models import Sensor


def build_rooms(count: int) -> list[Location]:
    """A home with two floors and ``count`` rooms spread over them (names unique per run)."""
    tree = LocationTree.load()
    home = tree.home() or Location.objects.create(name="Home", kind=LocationKind.HOME)
    start = Location.objects.count()
    floors = [Location.objects.create(name=f"Floor {start + i}", parent=home, kind=LocationKind.FLOOR, position=i)
              for i in range(2)]
    return Location.objects.bulk_create([
        Location(name=f"Room {start + i:04d}", parent=floors[i % 2], kind=LocationKind.ROOM, position=i)
        for i in range(count)])


def build_home(count: int, integration_id: str = "hass", rooms: list[Location] | None = None) -> list[Entity]:
    """``count`` entities alternating lights (on/off + dimmer, controllable) and thermometers; with ``rooms``,
    every room gets its share and one entity in ten has none."""
    now = timezone.now()
    entities = Entity.objects.bulk_create([
        Entity(name=f"{'Light' if i % 2 == 0 else 'Thermometer'} {i:05d}",
               entity_type=EntityType.LIGHT if i % 2 == 0 else EntityType.SENSOR,
               integration_id=integration_id, integration_name=f"thing.{i}",
               location=rooms[i % len(rooms)] if rooms and i % 10 else None)
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
