"""What a synchronizer reports the external system has, in our model's vocabulary.

Synchronizers build these plain objects; the sync engine compares them with the database. Their text is
cleaned of NUL as they are built (hi.utils.text): this is where every integration's inventory enters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hi.integrations.keys import IntegrationKey
from hi.utils.text import clean_fields


@dataclass(frozen=True)
class ExternalSensor:
    key: IntegrationKey
    name: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clean_fields(self, ("name", "payload"), f"sensor {self.key}")


@dataclass(frozen=True)
class ExternalController:
    key: IntegrationKey
    name: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clean_fields(self, ("name", "payload"), f"controller {self.key}")


@dataclass(frozen=True)
class ExternalState:
    """One EntityState; ``state_key`` identifies it within its entity across syncs."""

    state_key: str
    name: str
    state_type: str
    value_range: Any = None
    units: str = ""
    sensor: ExternalSensor | None = None
    controller: ExternalController | None = None
    value: Any = None

    def __post_init__(self) -> None:
        clean_fields(self, ("name", "units", "value_range", "value"), f"state {self.state_key}")


@dataclass(frozen=True)
class ExternalAttribute:
    """A read-only attribute the integration owns (serial number, model, a file…)."""

    name: str
    value: str = ""
    value_type: str = "text"
    file_url: str = ""

    def __post_init__(self) -> None:
        clean_fields(self, ("name", "value", "file_url"), f"attribute {self.name!r}")


@dataclass(frozen=True)
class ExternalEntity:
    """One thing the system has. ``location`` is where the system says it is, outermost first
    (``("Ground floor", "Kitchen")``, a HomeBox location path, a Home Assistant floor and area);
    empty when it does not say. See docs/places.md for how a suggestion is applied."""

    key: IntegrationKey
    name: str
    entity_type: str
    states: tuple[ExternalState, ...] = ()
    attributes: tuple[ExternalAttribute, ...] = ()
    payload: Mapping[str, Any] = field(default_factory=dict)
    location: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        clean_fields(self, ("name", "payload", "location"), f"entity {self.key}")


@dataclass(frozen=True)
class Inventory:
    """Everything one integration currently has; ``complete`` False means a partial listing (never remove).

    ``skipped`` counts what the external system has but the integration left out, by reason
    (``hidden``, ``unknown_domain:foo``…), so a sync report can say so.
    """

    integration_id: str
    entities: tuple[ExternalEntity, ...]
    complete: bool = True
    skipped: Mapping[str, int] = field(default_factory=dict)
