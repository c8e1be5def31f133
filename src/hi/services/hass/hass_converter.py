"""Home Assistant states → our model: the allowlist, grouping states into devices, the Inventory, responses.

Home Assistant's device registry says which states belong to one device: each HA device becomes one
of our entities, named as the user named the device. States with no device (YAML-defined helpers,
template sensors) fall back to grouping by name: the same object id across domains, and sensors
whose name is another state's name plus a known suffix (``sensor.kitchen_motion_battery`` belongs to
``binary_sensor.kitchen_motion``). The entity's HA floor and area are its room suggestion (see
docs/places.md), and also travel as attributes and in its payload.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from hi.apps.entity.enums import EntityType
from hi.integrations.sensor_response import Correlation, SensorResponse
from hi.integrations.sync.inventory import (
    ExternalAttribute,
    ExternalController,
    ExternalEntity,
    ExternalSensor,
    ExternalState,
    Inventory,
)

from .client.models import HassState
from .client.registry import Registries
from .hass_domains import SERVICE_ONLY_DOMAINS, presence_places
from .hass_states import INTEGRATION_ID, is_mapped, sensor_key, state_specs

logger = logging.getLogger("hi.services.hass.sync")
# Empty: every domain hi maps (an allowlist line narrows the import to what it names).
DEFAULT_ALLOWLIST: tuple[str, ...] = ()
# Suffixes naming a property of a device itself: such a sensor joins any state with the remaining name.
DEVICE_SUFFIXES = ("battery_level", "low_battery", "battery", "power", "energy", "signal_strength",
                   "linkquality", "voltage", "current")
# Suffixes naming what a sensor measures: they join sensors and thermostats, never lights or switches.
MEASURE_SUFFIXES = ("motion", "occupancy", "contact", "temperature", "humidity", "illuminance", "pressure")
_SUFFIXES = tuple(sorted(DEVICE_SUFFIXES + MEASURE_SUFFIXES, key=len, reverse=True))
_SENSOR_DOMAINS = frozenset({"sensor", "binary_sensor"})
_JOINABLE_BY_MEASURE = frozenset({"sensor", "binary_sensor", "climate"})
_PRIMARY_ORDER = ("alarm_control_panel", "lock", "valve", "cover", "climate", "water_heater", "humidifier",
                  "vacuum", "light", "fan", "switch", "siren", "media_player", "camera", "person", "device_tracker",
                  "weather", "input_boolean", "binary_sensor", "sensor")

_DOMAIN_TYPES: dict[str, str] = {
    "light": EntityType.LIGHT, "switch": EntityType.SWITCH, "fan": EntityType.FAN, "lock": EntityType.LOCK,
    "cover": EntityType.COVER, "climate": EntityType.THERMOSTAT, "camera": EntityType.CAMERA,
    "media_player": EntityType.MEDIA_PLAYER, "input_boolean": EntityType.VIRTUAL, "sensor": EntityType.SENSOR,
    "alarm_control_panel": EntityType.ALARM_PANEL, "person": EntityType.PERSON, "device_tracker": EntityType.PERSON,
    "valve": EntityType.VALVE, "vacuum": EntityType.VACUUM, "water_heater": EntityType.WATER_HEATER,
    "humidifier": EntityType.HUMIDIFIER, "siren": EntityType.SIREN, "weather": EntityType.WEATHER_STATION,
    "air_quality": EntityType.SENSOR, "update": EntityType.SERVER, "image": EntityType.CAMERA,
    "input_number": EntityType.VIRTUAL, "input_select": EntityType.VIRTUAL, "input_text": EntityType.VIRTUAL,
    "input_button": EntityType.VIRTUAL, "input_datetime": EntityType.VIRTUAL, "counter": EntityType.VIRTUAL,
    "timer": EntityType.VIRTUAL, "scene": EntityType.VIRTUAL, "script": EntityType.VIRTUAL,
    "automation": EntityType.VIRTUAL, "schedule": EntityType.VIRTUAL,
    "sun": EntityType.VIRTUAL, "calendar": EntityType.VIRTUAL, "todo": EntityType.VIRTUAL,
}
_DEVICE_CLASS_TYPES: dict[str, str] = {
    "motion": EntityType.MOTION_SENSOR, "occupancy": EntityType.MOTION_SENSOR, "presence": EntityType.MOTION_SENSOR,
    "door": EntityType.DOOR, "garage_door": EntityType.DOOR, "garage": EntityType.DOOR,
    "window": EntityType.WINDOW,
}


@dataclass(frozen=True)
class Allowlist:
    """Lines of ``domain`` or ``domain:device_class``; a state is imported when any line matches it.

    No lines at all means everything hi maps.
    """

    domains: frozenset[str]
    classes: frozenset[tuple[str, str]]
    everything: bool = False

    @classmethod
    def parse(cls, text: str | None) -> Allowlist:
        lines = [line.strip().lower() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]
        if not lines:
            return cls(frozenset(), frozenset(), everything=True)
        domains, classes = set(), set()
        for line in lines:
            domain, sep, device_class = line.partition(":")
            if sep and device_class.strip():
                classes.add((domain.strip(), device_class.strip()))
            else:
                domains.add(domain.strip())
        return cls(frozenset(domains), frozenset(classes))

    def allows(self, state: HassState) -> bool:
        if self.everything:
            return state.domain not in SERVICE_ONLY_DOMAINS and state.domain != "zone"
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


def build_entity(group: Sequence[HassState], temperature_unit: str = "°C", registries: Registries | None = None,
                 device_id: str | None = None, places: dict[str, str] | None = None) -> ExternalEntity:
    """One device: its states (with sensors, and controllers where Home Assistant can act), in order.
    ``places``: where a person can be (``presence_places`` of the listing's zones)."""
    primary = group[0]
    states: list[ExternalState] = []
    for member in group:
        for spec in state_specs(member, temperature_unit):
            if spec.suffix == "zone" and member.domain in ("person", "device_tracker") and places:
                spec = replace(spec, value_range=places)
            key = sensor_key(member.entity_id, spec.suffix)
            payload = {"entity_id": member.entity_id, "attribute": spec.suffix}
            control_payload = {**payload, **spec.extra} if spec.extra else payload
            states.append(ExternalState(
                state_key=key.integration_name, name=spec.name, state_type=spec.state_type,
                value_range=spec.value_range, units=spec.units, value=spec.value,
                sensor=ExternalSensor(key, spec.name, payload),
                controller=ExternalController(key, spec.name, control_payload) if spec.controllable else None))
    attributes = [ExternalAttribute(name="Home Assistant entity", value=member.entity_id) for member in group]
    payload: dict = {"entity_ids": [member.entity_id for member in group]}
    name = _group_name(group)
    location: tuple[str, ...] = ()
    if registries is not None:
        device = registries.devices.get(device_id) if device_id else None
        if device is not None:
            name = device.display_name or name
            payload["device_id"] = device.id
            for label, value in (("Manufacturer", device.manufacturer), ("Model", device.model)):
                if value:
                    attributes.append(ExternalAttribute(name=label, value=value))
        area = (registries.areas.get(device.area_id) if device is not None and device.area_id else None) \
            or registries.area_of(primary.entity_id)
        floor = registries.floor_of(area)
        if area is not None:
            # The room suggestion, in a form hi's places can adopt: floor (when known), then area.
            payload["area"] = {"id": area.area_id, "name": area.name}
            location = (floor.name, area.name) if floor is not None else (area.name,)
            payload["location_path"] = list(location)
            attributes.append(ExternalAttribute(name="Home Assistant area", value=area.name))
        if floor is not None:
            payload["floor"] = {"id": floor.floor_id, "name": floor.name}
            attributes.append(ExternalAttribute(name="Home Assistant floor", value=floor.name))
    return ExternalEntity(key=sensor_key(primary.entity_id), name=name, entity_type=_entity_type(primary),
                          states=tuple(states), attributes=tuple(attributes), payload=payload, location=location)


def exclusion(state: HassState, allowlist: Allowlist, registries: Registries | None,
              include_hidden: bool = False) -> str | None:
    """Why a state is not imported (a sync report reason), or None when it is."""
    domain = state.domain
    if domain in SERVICE_ONLY_DOMAINS:
        return "service_only"
    if domain == "zone":
        return "zone"
    if not allowlist.allows(state):
        return "not_allowed"
    entry = registries.entities.get(state.entity_id) if registries is not None else None
    if entry is not None and entry.disabled_by:
        return "disabled"
    if entry is not None and entry.hidden_by and not include_hidden:
        return "hidden"
    if not is_mapped(domain):
        return f"unknown_domain:{domain}"
    return None


def build_inventory(states: Iterable[HassState], allowlist: Allowlist, temperature_unit: str = "°C",
                    complete: bool = True, registries: Registries | None = None,
                    include_hidden: bool = False) -> Inventory:
    """The Inventory of every imported state, grouped by HA device (by name for device-less states)."""
    skipped: Counter[str] = Counter()
    by_device: dict[str, list[HassState]] = defaultdict(list)
    loose: list[HassState] = []
    zones: list[str] = []
    for state in states:
        if state.domain == "zone" and state.entity_id != "zone.home":
            zones.append(state.friendly_name)  # a person in it reports this name
        reason = exclusion(state, allowlist, registries, include_hidden)
        if reason is not None:
            skipped[reason] += 1
            continue
        entry = registries.entities.get(state.entity_id) if registries is not None else None
        device_id = entry.device_id if entry is not None else None
        if device_id and registries is not None and device_id in registries.devices:
            by_device[device_id].append(state)
        else:
            loose.append(state)
    unknown = sorted(reason.partition(":")[2] for reason in skipped if reason.startswith("unknown_domain:"))
    if unknown:
        logger.info("hass: skipped states of domains hi does not map: %s", ", ".join(unknown))
    places = presence_places(zones)
    entities = [build_entity(sorted(group, key=_priority), temperature_unit, registries, device_id, places)
                for device_id, group in by_device.items()]
    entities.extend(build_entity(group, temperature_unit, registries, places=places) for group in group_states(loose))
    return Inventory(integration_id=INTEGRATION_ID, entities=tuple(entities), complete=complete,
                     skipped=dict(sorted(skipped.items())))


def responses_for(state: HassState, temperature_unit: str = "°C",
                  timestamp: dt.datetime | None = None) -> list[SensorResponse]:
    """The SensorResponses one state carries; an attribute Home Assistant leaves out (hue of an off light) is skipped."""
    moment = timestamp or state.last_updated or dt.datetime.now(dt.UTC)
    return [SensorResponse(integration_key=sensor_key(state.entity_id, spec.suffix), value=spec.value,
                           timestamp=moment, detail_attrs=dict(spec.details) if spec.details else {},
                           correlation=Correlation("end", spec.occurrence) if spec.occurrence else None)
            for spec in state_specs(state, temperature_unit) if spec.value is not None]
