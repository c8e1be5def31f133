"""SensorResponse: what an integration reports about one sensor at one moment (never stored as is)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from hi.integrations.keys import IntegrationKey
from hi.utils.text import clean_fields


@dataclass(frozen=True, slots=True)
class Correlation:
    """Ties a start response to its end response (a ZoneMinder event id, an NWS alert id)."""

    role: Literal["start", "end"]
    correlation_id: str

    def __post_init__(self) -> None:
        clean_fields(self, ("correlation_id",), "a correlation id")


@dataclass(frozen=True, slots=True)
class SensorResponse:
    integration_key: IntegrationKey
    value: Any
    timestamp: dt.datetime
    detail_attrs: dict[str, Any] = field(default_factory=dict)
    correlation: Correlation | None = None
    source: str = ""  # optional provenance (e.g. the weather source that supplied it)

    def __post_init__(self) -> None:
        if self.timestamp.tzinfo is None:
            raise ValueError("SensorResponse timestamps must be timezone-aware")
        # NUL cleaned here, where every integration's live values enter (PostgreSQL refuses it: a batch was lost)
        clean_fields(self, ("value", "detail_attrs", "source"), f"a reading of {self.integration_key}")
