"""Typed shapes of what Home Assistant sends, validated with pydantic (no Django here).

Unknown fields are ignored so newer Home Assistant releases that add fields keep working; a payload
missing what we rely on fails validation and is skipped by the caller, never half-used.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ENTITY_ID_PATTERN = r"^[a-z0-9_]+\.[A-Za-z0-9_]+$"


class HassContext(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    parent_id: str | None = None
    user_id: str | None = None


class HassState(BaseModel):
    """One entity's state as ``/api/states`` and ``get_states`` return it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    entity_id: str = Field(pattern=ENTITY_ID_PATTERN)
    state: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    last_changed: dt.datetime | None = None
    last_updated: dt.datetime | None = None
    context: HassContext | None = None

    @property
    def domain(self) -> str:
        return self.entity_id.partition(".")[0]

    @property
    def object_id(self) -> str:
        return self.entity_id.partition(".")[2]

    @property
    def friendly_name(self) -> str:
        name = self.attributes.get("friendly_name")
        return name if isinstance(name, str) and name else self.object_id.replace("_", " ").title()

    @property
    def device_class(self) -> str | None:
        value = self.attributes.get("device_class")
        return value if isinstance(value, str) else None

    @property
    def unit(self) -> str:
        value = self.attributes.get("unit_of_measurement")
        return value if isinstance(value, str) else ""


class HassConfig(BaseModel):
    """``GET /api/config``: what we show in test_connection and use for temperature units."""

    model_config = ConfigDict(extra="ignore")

    version: str
    location_name: str = ""
    time_zone: str = ""
    unit_system: dict[str, str] = Field(default_factory=dict)
    components: list[str] = Field(default_factory=list)

    @property
    def temperature_unit(self) -> str:
        return self.unit_system.get("temperature", "°C")


class HassApiStatus(BaseModel):
    """``GET /api/`` body; its ``message`` tells a Home Assistant server from any other web server."""

    model_config = ConfigDict(extra="ignore")

    message: str


class StateChange(BaseModel):
    """The data of a ``state_changed`` event: ``old_state`` None = added, ``new_state`` None = removed."""

    model_config = ConfigDict(extra="ignore")

    entity_id: str = Field(pattern=ENTITY_ID_PATTERN)
    old_state: HassState | None = None
    new_state: HassState | None = None

    @property
    def added(self) -> bool:
        return self.old_state is None and self.new_state is not None

    @property
    def removed(self) -> bool:
        return self.new_state is None


class WsError(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: str
    message: str = ""
