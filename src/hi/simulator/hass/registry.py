"""The simulated Home Assistant's registries: devices, entity entries, areas, floors and labels.

A profile describes its registry with plain tuples (see ``demo_home``); the store keeps records in
the shapes Home Assistant's ``config/*_registry/list`` commands return, applies the ``update``
commands the real server has, and tells its listener about every change so the WebSocket side can
fire ``*_registry_updated`` events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (device id, name, area id, manufacturer, model, entity ids)
DeviceSeed = tuple[str, str, str | None, str, str, tuple[str, ...]]
RegistryListener = Callable[[str, dict[str, Any]], None]


@dataclass
class RegistrySeed:
    """What a profile says about its registries; entities not named in a device have no device."""

    floors: list[tuple[str, str, int]] = field(default_factory=list)  # (floor id, name, level)
    areas: list[tuple[str, str, str | None]] = field(default_factory=list)  # (area id, name, floor id)
    devices: list[DeviceSeed] = field(default_factory=list)
    disabled: dict[str, str] = field(default_factory=dict)  # entity id → area id ('' none); no state
    hidden: tuple[str, ...] = ()
    entity_areas: dict[str, str] = field(default_factory=dict)  # an entity's own area, over its device's
    no_entry: tuple[str, ...] = ()  # entities without a unique id: no registry entry at all
    labels: list[tuple[str, str]] = field(default_factory=list)


def _now() -> float:
    return dt.datetime.now(dt.UTC).timestamp()


class RegistryStore:
    """Registry records by id; ``listeners`` get (event_type, data) for every change."""

    def __init__(self) -> None:
        self.devices: dict[str, dict[str, Any]] = {}
        self.entities: dict[str, dict[str, Any]] = {}
        self.areas: dict[str, dict[str, Any]] = {}
        self.floors: dict[str, dict[str, Any]] = {}
        self.labels: dict[str, dict[str, Any]] = {}
        self.listeners: list[RegistryListener] = []
        self.has_floors = True  # False: answer floor/label lists with unknown_command (an older server)

    def load(self, seed: RegistrySeed | None, entity_ids: list[str]) -> None:
        self.devices, self.entities, self.areas, self.floors, self.labels = {}, {}, {}, {}, {}
        if seed is None:
            return
        now = _now()
        for floor_id, name, level in seed.floors:
            self.floors[floor_id] = {"floor_id": floor_id, "name": name, "level": level, "aliases": [],
                                     "icon": None, "created_at": now, "modified_at": now}
        for area_id, name, floor_id in seed.areas:
            self.areas[area_id] = {"area_id": area_id, "name": name, "floor_id": floor_id, "aliases": [],
                                   "icon": None, "labels": [], "picture": None, "created_at": now,
                                   "modified_at": now}
        for label_id, name in seed.labels:
            self.labels[label_id] = {"label_id": label_id, "name": name, "color": None, "icon": None,
                                     "description": None, "created_at": now, "modified_at": now}
        device_of: dict[str, str] = {}
        for device_id, name, area_id, manufacturer, model, members in seed.devices:
            self.devices[device_id] = {
                "id": device_id, "name": name, "name_by_user": None, "area_id": area_id,
                "manufacturer": manufacturer, "model": model, "model_id": None, "disabled_by": None,
                "entry_type": None, "via_device_id": None, "labels": [], "config_entries": ["sim"],
                "identifiers": [["sim", device_id]], "connections": [], "sw_version": None, "hw_version": None,
                "serial_number": None, "configuration_url": None, "primary_config_entry": "sim",
                "created_at": now, "modified_at": now}
            for entity_id in members:
                device_of[entity_id] = device_id
        for entity_id in [*entity_ids, *seed.disabled]:
            if entity_id in seed.no_entry or entity_id in self.entities:
                continue
            area = seed.entity_areas.get(entity_id) or seed.disabled.get(entity_id) or None
            self.entities[entity_id] = {
                "entity_id": entity_id, "id": f"reg-{len(self.entities):05d}", "unique_id": entity_id,
                "device_id": device_of.get(entity_id), "area_id": area, "platform": "sim",
                "config_entry_id": "sim", "disabled_by": "user" if entity_id in seed.disabled else None,
                "hidden_by": "user" if entity_id in seed.hidden else None, "entity_category": None,
                "has_entity_name": False, "name": None, "original_name": None, "icon": None, "labels": [],
                "categories": {}, "translation_key": None, "created_at": now, "modified_at": now}

    def add_entity(self, entity_id: str) -> None:
        """A new state gets a registry entry, as an integration adding an entity would."""
        if entity_id in self.entities or not self.entities:
            return
        now = _now()
        self.entities[entity_id] = {
            "entity_id": entity_id, "id": f"reg-{len(self.entities):05d}", "unique_id": entity_id,
            "device_id": None, "area_id": None, "platform": "sim", "config_entry_id": "sim", "disabled_by": None,
            "hidden_by": None, "entity_category": None, "has_entity_name": False, "name": None,
            "original_name": None, "icon": None, "labels": [], "categories": {}, "translation_key": None,
            "created_at": now, "modified_at": now}
        self._fire("entity_registry_updated", {"action": "create", "entity_id": entity_id})

    def update_device(self, device_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        return self._update(self.devices, device_id, changes, "device_registry_updated", "device_id")

    def update_entity(self, entity_id: str, changes: dict[str, Any]) -> dict[str, Any]:
        return self._update(self.entities, entity_id, changes, "entity_registry_updated", "entity_id")

    def _update(self, table: dict[str, dict[str, Any]], key: str, changes: dict[str, Any], event: str,
                id_field: str) -> dict[str, Any]:
        """One registry row changed as Home Assistant changes it: ``modified_at`` moves, and the update event
        carries the values the changed fields had before."""
        row = table.get(key)
        if row is None:
            raise KeyError(key)
        old = {name: row.get(name) for name in changes}
        row.update(changes)
        row["modified_at"] = _now()
        self._fire(event, {"action": "update", id_field: key, "changes": old})
        return row

    def _fire(self, event_type: str, data: dict[str, Any]) -> None:
        for listener in list(self.listeners):
            listener(event_type, data)
