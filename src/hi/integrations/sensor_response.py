"""SensorResponse: what an integration reports about one sensor at one moment (never stored as is)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from hi.integrations.keys import IntegrationKey


@dataclass(frozen=True, slots=True)
class Correlation:
    """Ties a start response to its end response (a ZoneMinder event id, an NWS alert id)."""

    role: Literal["start", "end"]
    correlation_id: str


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
