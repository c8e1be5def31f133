"""Home Assistant's registries (devices, entities, areas, floors, labels) as typed, validated records.

The REST API publishes states only; which states belong to one physical device, what the user named
that device and which area it stands in live in the registries, which only the WebSocket API lists
(``config/<kind>_registry/list``). Floors and labels are newer than the others: a server that answers
``unknown_command`` simply has none, which is not an error. A malformed record is skipped and
counted, never half-used.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from hi.integrations import exceptions as exc

from .models import WsError

logger = logging.getLogger("hi.services.hass.client.registry")
INTEGRATION_ID = "hass"
UNKNOWN_COMMAND = "unknown_command"
# The events Home Assistant fires when a registry changes (each carries an ``action`` and an id).
REGISTRY_EVENTS = ("device_registry_updated", "entity_registry_updated", "area_registry_updated",
                   "floor_registry_updated", "label_registry_updated")


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class HassDevice(_Record):
    """One device: ``name_by_user`` (the user's name) wins over the integration's ``name``."""

    id: str
    name: str | None = None
    name_by_user: str | None = None
    area_id: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    disabled_by: str | None = None
    entry_type: str | None = None
    via_device_id: str | None = None
    labels: list[str] = []

    @property
    def display_name(self) -> str:
        return (self.name_by_user or self.name or "").strip()


class HassEntityEntry(_Record):
    """One entity registry entry; an entity with no entry (YAML-defined, no unique id) has none at all."""

    entity_id: str
    device_id: str | None = None
    area_id: str | None = None
    disabled_by: str | None = None
    hidden_by: str | None = None
    entity_category: str | None = None
    name: str | None = None
    original_name: str | None = None
    platform: str | None = None
    labels: list[str] = []


class HassArea(_Record):
    area_id: str
    name: str
    floor_id: str | None = None


class HassFloor(_Record):
    floor_id: str
    name: str
    level: int | None = None


class HassLabel(_Record):
    label_id: str
    name: str


@dataclass
class Registries:
    """Everything the registries said; ``missing`` names the lists the server does not have."""

    devices: dict[str, HassDevice] = field(default_factory=dict)
    entities: dict[str, HassEntityEntry] = field(default_factory=dict)
    areas: dict[str, HassArea] = field(default_factory=dict)
    floors: dict[str, HassFloor] = field(default_factory=dict)
    labels: dict[str, HassLabel] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    skipped: int = 0

    @property
    def available(self) -> bool:
        """False when the server has no entity registry at all (then name-based grouping is all we have)."""
        return "entity" not in self.missing

    def area_of(self, entity_id: str) -> HassArea | None:
        """The entity's own area, else its device's (Home Assistant's rule)."""
        entry = self.entities.get(entity_id)
        if entry is None:
            return None
        area_id = entry.area_id
        if area_id is None and entry.device_id is not None:
            device = self.devices.get(entry.device_id)
            area_id = device.area_id if device is not None else None
        return self.areas.get(area_id) if area_id else None

    def floor_of(self, area: HassArea | None) -> HassFloor | None:
        return self.floors.get(area.floor_id) if area is not None and area.floor_id else None


SendCommand = Callable[[dict[str, Any]], Awaitable[Any]]
_LISTS: tuple[tuple[str, str, type[_Record], str], ...] = (
    ("device", "config/device_registry/list", HassDevice, "id"),
    ("entity", "config/entity_registry/list", HassEntityEntry, "entity_id"),
    ("area", "config/area_registry/list", HassArea, "area_id"),
    ("floor", "config/floor_registry/list", HassFloor, "floor_id"),
    ("label", "config/label_registry/list", HassLabel, "label_id"),
)


def _result_or_missing(answer: Any, command: str) -> list[Any] | None:
    """The listed records, or None when the server does not know the command."""
    if not isinstance(answer, dict) or answer.get("type") != "result":
        raise exc.DataValidationError(f"unexpected answer to {command}", integration_id=INTEGRATION_ID)
    if not answer.get("success"):
        try:
            error = WsError.model_validate(answer.get("error") or {})
        except ValidationError:
            error = WsError(code="unknown_error")
        if error.code == UNKNOWN_COMMAND:
            return None
        if error.code == "unauthorized":
            raise exc.AuthenticationError(f"{command}: {error.message or 'admin rights needed'}",
                                          integration_id=INTEGRATION_ID)
        raise exc.RequestError(f"{command}: {error.message or error.code}", integration_id=INTEGRATION_ID)
    result = answer.get("result")
    if not isinstance(result, list):
        raise exc.DataValidationError(f"{command} did not answer with a list", field=command,
                                      integration_id=INTEGRATION_ID)
    return result


def parse_registry(registries: Registries, kind: str, raw: list[Any] | None) -> None:
    """Validate one list into ``registries`` (a malformed record is skipped and counted)."""
    spec = next(item for item in _LISTS if item[0] == kind)
    _, command, model, key = spec
    if raw is None:
        registries.missing.append(kind)
        logger.info("hass: the server has no %s (unknown command); going on without it", command)
        return
    target: dict[str, Any] = getattr(registries, kind + "s" if kind != "entity" else "entities")
    for item in raw:
        try:
            record = model.model_validate(item)
        except ValidationError:
            registries.skipped += 1
            continue
        target[getattr(record, key)] = record
    if registries.skipped:
        logger.warning("hass: skipped %d malformed registry records", registries.skipped)


async def fetch_registries(send_command: SendCommand) -> Registries:
    """Read every registry with ``send_command`` (one WebSocket command each)."""
    registries = Registries()
    for kind, command, _, _ in _LISTS:
        parse_registry(registries, kind, _result_or_missing(await send_command({"type": command}), command))
    return registries
