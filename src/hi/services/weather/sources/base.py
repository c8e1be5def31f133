"""What every weather source declares and returns; no Django here, so a source is testable alone.

A source is one module under ``sources/`` exposing ``SOURCE``: a ``WeatherSource`` subclass whose
``spec`` states its default priority, its rate limits and how long each kind of answer is cached.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from hi.utils.clock import SYSTEM_CLOCK

# Names of the current-condition values every source reports in (metric units, see ``units.py``).
CURRENT_FIELDS: tuple[str, ...] = (
    "temperature", "humidity", "dew_point", "wind_speed", "wind_direction", "pressure", "visibility",
    "conditions",
)


@dataclass(frozen=True)
class RateLimit:
    """At most ``max_requests`` in any sliding window of ``per_seconds`` (kept across restarts)."""

    max_requests: int
    per_seconds: float


@dataclass(frozen=True)
class SourceSpec:
    """A source's declaration: the only thing the rest of the integration knows about it."""

    name: str
    label: str
    priority: int  # default order when ``sources`` is not set: lower is consulted first
    rate_limits: tuple[RateLimit, ...]
    cache_seconds: Mapping[str, float]  # per request kind: how long an answer is reused
    stale_after_seconds: Mapping[str, float]  # per data kind ("current", "forecast", "sun", "alerts")
    default_base_url: str = ""  # the public service; the ``<name>_base_url`` attribute overrides it
    needs_contact: bool = False
    specialties: frozenset[str] = frozenset()  # data kinds it is the authority on, ranked before the others


@dataclass(frozen=True)
class SourceSettings:
    """Per-installation settings a source may use (from the integration's attributes)."""

    latitude: float
    longitude: float
    base_url: str
    contact: str = ""


class Reading(BaseModel):
    """One value as a source reported it, with the moment it describes."""

    value: Any
    observed_at: dt.datetime


class HourlyPoint(BaseModel):
    time: dt.datetime
    temperature: float | None = None
    precipitation_probability: float | None = None
    wind_speed: float | None = None
    conditions: str = ""


class DailyPoint(BaseModel):
    date: dt.date
    temperature_max: float | None = None
    temperature_min: float | None = None
    precipitation_probability: float | None = None
    conditions: str = ""


class Alert(BaseModel):
    """An active weather alert; ``alarm`` marks the ones that should raise an alarm."""

    id: str
    event: str
    headline: str = ""
    severity: str = "Unknown"
    certainty: str = "Unknown"
    urgency: str = "Unknown"
    onset: dt.datetime | None = None
    expires: dt.datetime | None = None
    description: str = ""
    instruction: str = ""

    @property
    def alarm(self) -> bool:
        severity = self.severity.lower()
        return severity in {"extreme", "severe"} or (severity == "moderate" and self.urgency.lower() == "immediate")


class SourceReport(BaseModel):
    """Everything one source could say in one poll; a part is None when it has nothing for it."""

    source: str
    current: dict[str, Reading] = {}
    hourly: list[HourlyPoint] | None = None
    hourly_at: dt.datetime | None = None
    daily: list[DailyPoint] | None = None
    daily_at: dt.datetime | None = None
    sunrise: Reading | None = None
    sunset: Reading | None = None
    alerts: list[Alert] | None = None
    alerts_at: dt.datetime | None = None
    failing: set[str] = set()  # data kinds served from cache because the source just failed
    errors: list[str] = []


@dataclass
class Fetched:
    """A payload from the network or the cache; ``fresh`` is False when reused past its lifetime,
    ``failed`` True when that is because the source just failed (its data then counts as stale)."""

    payload: Any
    fetched_at: dt.datetime
    from_cache: bool
    fresh: bool = True
    failed: bool = False


class Fetch(Protocol):
    """How a source asks for data: the fetcher decides between cache, network and rate limit."""

    def __call__(self, kind: str, url: str, params: Mapping[str, str] | None = None,
                 cache_key: str | None = None, validate: Callable[[Any], Any] | None = None) -> Fetched:
        """``validate`` raises an IntegrationError for a payload that must not replace the cached one."""


@dataclass
class WeatherSource(abc.ABC):
    """Turns a source's protocol into a ``SourceReport``; every request goes through ``fetch``."""

    settings: SourceSettings
    spec: ClassVar[SourceSpec]
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:  # noqa: B027 - an optional hook, not an abstract step
        """Subclasses set their request headers here."""

    @abc.abstractmethod
    def collect(self, fetch: Fetch, now: dt.datetime) -> SourceReport:
        """Gather what this source knows; raise only when nothing at all could be had."""

    def probe(self, fetch: Fetch) -> str:
        """One cheap request proving the source answers for this place; returns a short description."""
        report = self.collect(fetch, dt.datetime.now(dt.UTC))
        return f"{self.spec.label}: {len(report.current)} current values"


# The weather service reads wall time through ``Now``: the bound ``now`` of the one clock
# (``hi.utils.clock``) — ``SYSTEM_CLOCK.now`` by default, the monitor context's ``now`` when run by the
# worker, a test's fake in tests.
Now = Callable[[], dt.datetime]
utc_now: Now = SYSTEM_CLOCK.now
