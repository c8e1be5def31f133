"""Request and response schemas of the REST API; every payload is validated against one of these."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema

JsonScalar = str | int | float | bool


class Problem(Schema):
    detail: str
    field_errors: dict[str, str] | None = None


class ConfigureIn(Schema):
    values: dict[str, JsonScalar | None] = Field(..., description="attribute key → value; empty secrets keep theirs")
    test: bool = Field(True, description="test the connection before saving")


class DisableIn(Schema):
    mode: Literal["safe", "all"] = "safe"


class SyncIn(Schema):
    dry_run: bool = False
    remove_missing: bool = False


class ControlIn(Schema):
    key: str = Field(..., min_length=1, max_length=300,
                     description="a controller's integration key (hass:light.kitchen) or numeric id")
    value: JsonScalar
    code: str | None = Field(None, min_length=1, max_length=128,
                             description="the code an alarm panel or lock needs; sent to the device only, "
                                         "never stored in history or echoed")


class TokenIn(Schema):
    name: str = Field(..., max_length=200, description="trimmed; 1-100 characters, unique among the user's tokens")
    scope: Literal["read", "control", "admin"] | None = Field(
        None, description="default: the widest the user's role allows (a token caller: its own scope)")
    expires_days: int | None = Field(None, ge=1, le=3650, description="expires after this many days; default never")
    user: str | None = Field(None, description="the owner (admins only); default: the caller")


class SensorRef(Schema):
    id: int
    integration_key: str | None


class StateOut(Schema):
    id: int
    name: str
    state_type: str
    value: Any
    units: str
    updated_at: str | None
    available: bool = Field(..., description="false when its integration is paused, disabled, in error or "
                            "not set up, the entity is detached, or the source says unavailable/unknown")
    stale: bool = Field(..., description="true when nothing has confirmed the value for longer than its "
                        "integration's expected cycle")
    unavailable_reason: str | None = Field(None, description="why it is unavailable or stale, in words")
    sensors: list[SensorRef]
    controllers: list[SensorRef]


class LocationRef(Schema):
    id: int
    name: str
    path: str = Field(..., description="e.g. 'Home / Ground floor / Kitchen'")


class EntityOut(Schema):
    id: int
    name: str
    entity_type: str
    integration_key: str | None
    location: LocationRef | None
    states: list[StateOut]


class EntityPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EntityOut]


class EventOut(Schema):
    id: int
    entity_id: int
    state_id: int
    value: Any
    start: str | None
    end: str | None
    duration_seconds: float | None
    details: dict[str, Any]
    media: dict[str, Any] | None = None


class EventPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[EventOut]


class HistoryItem(Schema):
    sensor_id: int
    value: Any
    response_at: str
    details: Any = None


class HistoryPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[HistoryItem]


class ControlOut(Schema):
    id: int
    controller_id: int
    integration_key: str | None
    requested_value: Any
    requested_by: str
    requested_at: str | None
    outcome: str
    message: str
    latency_ms: float | None
    confirmed_at: str | None


class TokenOut(Schema):
    id: int
    name: str
    user: str | None
    scope: str
    hint: str
    created_at: str
    expires_at: str | None
    last_used_at: str | None


class TokenCreated(TokenOut):
    token: str = Field(..., description="shown once; store it now")
