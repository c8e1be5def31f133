"""Home Assistant states → our model: the allowlist, grouping states into devices, the Inventory, responses.

Home Assistant's REST states carry no device list, so states that clearly belong together are
grouped: the same object id across domains, and sensors whose name is another state's name plus a
known suffix (``sensor.kitchen_motion_battery`` belongs to ``binary_sensor.kitchen_motion``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hi.apps.entity.enums import EntityType
from hi.integrations.sensor_response import SensorResponse
from hi.integrations.sync.inventory import (
    ExternalAttribute,
    ExternalController,
    ExternalEntity,
    ExternalSensor,
    ExternalState,
    Inventory,
)

from .client.models import HassState
from .hass_states import INTEGRATION_ID, sensor_key, state_specs

DEFAULT_ALLOWLIST = ("light", "switch", "fan", "lock", "cover", "climate", "binary_sensor", "sensor", "camera",
                     "media_player", "input_boolean")
# Suffixes naming a property of a device itself: such a sensor joins any state with the remaining name.
DEVICE_SUFFIXES = ("battery_level", "low_battery", "battery", "power", "energy", "signal_strength",
                   "linkquality", "voltage", "current")
# Suffixes naming what a sensor measures: they join sensors and thermostats, never lights or switches.
MEASURE_SUFFIXES = ("motion", "occupancy", "contact", "temperature", "humidity", "illuminance", "pressure")
_SUFFIXES = tuple(sorted(DEVICE_SUFFIXES + MEASURE_SUFFIXES, key=len, reverse=True))
_SENSOR_DOMAINS = frozenset({"sensor", "binary_sensor"})
_JOINABLE_BY_MEASURE = frozenset({"sensor", "binary_sensor", "climate"})
_PRIMARY_ORDER = ("light", "switch", "fan", "lock", "cover", "climate", "media_player", "camera",
                  "input_boolean", "binary_sensor", "sensor")

_DOMAIN_TYPES: dict[str, str] = {
    "light": EntityType.LIGHT, "switch": EntityType.SWITCH, "fan": EntityType.FAN, "lock": EntityType.LOCK,
    "cover": EntityType.COVER, "climate": EntityType.THERMOSTAT, "camera": EntityType.CAMERA,
    "media_player": EntityType.MEDIA_PLAYER, "input_boolean": EntityType.VIRTUAL, "sensor": EntityType.SENSOR,
}
_DEVICE_CLASS_TYPES: dict[str, str] = {
    "motion": EntityType.MOTION_SENSOR, "occupancy": EntityType.MOTION_SENSOR, "presence": EntityType.MOTION_SENSOR,
    "door": EntityType.DOOR, "garage_door": EntityType.DOOR, "garage": EntityType.DOOR,
    "window": EntityType.WINDOW,
}


@dataclass(frozen=True)
class Allowlist:
    """Lines of ``domain`` or ``domain:device_class``; a state is imported when any line matches it."""

    domains: frozenset[str]
    classes: frozenset[tuple[str, str]]

    @classmethod
    def parse(cls, text: str | None) -> Allowlist:
        lines = [line.strip().lower() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]
        if not lines:
            lines = list(DEFAULT_ALLOWLIST)
        domains, classes = set(), set()
        for line in lines:
            domain, sep, device_class = line.partition(":")
            if sep and device_class.strip():
                classes.add((domain.strip(), device_class.strip()))
            else:
                domains.add(domain.strip())
        return cls(frozenset(domains), frozenset(classes))

    def allows(self, state: HassState) -> bool:
        return state.domain in self.domains or (state.domain, state.device_class or "") in self.classes


def _priority(state: HassState) -> tuple[int, str]:
    try:
        rank = _PRIMARY_ORDER.index(state.domain)
    except ValueError:
        rank = len(_PRIMARY_ORDER)
    return rank, state.entity_id


def group_states(states: Sequence[HassState]) -> list[list[HassState]]:
    """Partition states into devices; each group is ordered with its primary state first."""
    parent = list(range(len(states)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    by_object: dict[str, list[int]] = defaultdict(list)
    for index, state in enumerate(states):
        by_object[state.object_id].append(index)
    for members in by_object.values():
        for other in members[1:]:
            union(other, members[0])
    siblings: dict[str, list[int]] = defaultdict(list)
    for index, state in enumerate(states):
        if state.domain not in _SENSOR_DOMAINS:
            continue
        object_id = state.object_id
        suffix = next((s for s in _SUFFIXES if object_id.endswith("_" + s) and len(object_id) > len(s) + 1), None)
        if suffix is None:
            continue
        base = object_id[: -len(suffix) - 1]
        owners = by_object.get(base, [])
        joinable = suffix in DEVICE_SUFFIXES or all(states[o].domain in _JOINABLE_BY_MEASURE for o in owners)
        if owners and joinable:
            union(index, owners[0])
        else:
            siblings[base].append(index)
    for members in siblings.values():
        for other in members[1:]:
            union(other, members[0])
    groups: dict[int, list[HassState]] = defaultdict(list)
    for index, state in enumerate(states):
        groups[find(index)].append(state)
    return [sorted(group, key=_priority) for group in groups.values()]


def _entity_type(primary: HassState) -> str:
    if primary.domain in ("binary_sensor", "cover"):
        by_class = _DEVICE_CLASS_TYPES.get(primary.device_class or "")
        if by_class:
            return by_class
        return EntityType.COVER if primary.domain == "cover" else EntityType.SENSOR
    return _DOMAIN_TYPES.get(primary.domain, EntityType.OTHER)


def _group_name(group: Sequence[HassState]) -> str:
    primary = group[0]
    if len(group) == 1 or all(s.object_id.startswith(primary.object_id) for s in group):
        return primary.friendly_name
    tokens = [s.object_id.split("_") for s in group]
    common: list[str] = []
    for parts in zip(*tokens, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return " ".join(common).title() if common else primary.friendly_name


def build_entity(group: Sequence[HassState], temperature_unit: str = "°C") -> ExternalEntity:
    """One device: its states (with sensors, and controllers where Home Assistant can act), in order."""
    primary = group[0]
    states: list[ExternalState] = []
    for member in group:
        for spec in state_specs(member, temperature_unit):
            key = sensor_key(member.entity_id, spec.suffix)
            payload = {"entity_id": member.entity_id, "attribute": spec.suffix}
            states.append(ExternalState(
                state_key=key.integration_name, name=spec.name, state_type=spec.state_type,
                value_range=spec.value_range, units=spec.units, value=spec.value,
                sensor=ExternalSensor(key, spec.name, payload),
                controller=ExternalController(key, spec.name, payload) if spec.controllable else None))
    attributes = tuple(ExternalAttribute(name="Home Assistant entity", value=member.entity_id)
                       for member in group)
    return ExternalEntity(key=sensor_key(primary.entity_id), name=_group_name(group),
                          entity_type=_entity_type(primary), states=tuple(states), attributes=attributes,
                          payload={"entity_ids": [member.entity_id for member in group]})


def build_inventory(states: Iterable[HassState], allowlist: Allowlist, temperature_unit: str = "°C",
                    complete: bool = True) -> Inventory:
    """The Inventory of every allowed state, grouped into devices."""
    allowed = [state for state in states if allowlist.allows(state)]
    entities = tuple(build_entity(group, temperature_unit) for group in group_states(allowed))
    return Inventory(integration_id=INTEGRATION_ID, entities=entities, complete=complete)


def responses_for(state: HassState, temperature_unit: str = "°C",
                  timestamp: dt.datetime | None = None) -> list[SensorResponse]:
    """The SensorResponses one state carries; an attribute Home Assistant leaves out (hue of an off light) is skipped."""
    moment = timestamp or state.last_updated or dt.datetime.now(dt.UTC)
    return [SensorResponse(integration_key=sensor_key(state.entity_id, spec.suffix), value=spec.value,
                           timestamp=moment)
            for spec in state_specs(state, temperature_unit) if spec.value is not None]
