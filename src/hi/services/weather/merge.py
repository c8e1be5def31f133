"""Merging sources by priority and freshness; every merged value remembers its source and age.

Rule: among the values that are still fresh, the best-ranked source wins (equal rank: the newer
value); a source declaring a data kind its specialty (sunrise-sunset for "sun") ranks first for it. A worse source therefore only fills a gap the better one leaves or lets go stale. When
every candidate is stale, the newest is kept — and marked stale, never passed off as current.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .sources.base import CURRENT_FIELDS, SourceReport, SourceSpec

SUN_FIELDS = ("sunrise", "sunset")
FORECAST_FIELDS = ("forecast_hourly", "forecast_daily")
MERGED_FIELDS: tuple[str, ...] = (*CURRENT_FIELDS, *SUN_FIELDS, *FORECAST_FIELDS, "alerts")
DEFAULT_STALE_SECONDS = 3600.0


def data_kind(field: str) -> str:
    if field in SUN_FIELDS:
        return "sun"
    if field in FORECAST_FIELDS:
        return "forecast"
    if field == "alerts":
        return "alerts"
    return "current"


@dataclass(frozen=True)
class Candidate:
    field: str
    value: Any
    observed_at: dt.datetime
    source: str
    rank: tuple[int, int]  # (0 if its source specialises in this kind else 1, position in the priority order)
    stale_after: float
    failing: bool = False  # its source just failed to confirm it: treated as stale

    def fresh(self, now: dt.datetime) -> bool:
        return not self.failing and (now - self.observed_at).total_seconds() <= self.stale_after


@dataclass(frozen=True)
class MergedValue:
    """The value shown for one field, where it came from, when it was true, and whether it is stale."""

    field: str
    value: Any
    source: str
    observed_at: dt.datetime
    stale: bool

    def age_seconds(self, now: dt.datetime) -> float:
        return max(0.0, (now - self.observed_at).total_seconds())

    def provenance(self, now: dt.datetime) -> dict[str, Any]:
        return {"source": self.source, "observed_at": self.observed_at.isoformat(),
                "age_seconds": round(self.age_seconds(now)), "stale": self.stale}


def candidates(report: SourceReport, rank: int, spec: SourceSpec) -> list[Candidate]:
    """Flatten one report into per-field candidates carrying their source's staleness limit."""
    def make(name: str, value: Any, observed_at: dt.datetime) -> Candidate:
        kind = data_kind(name)
        order = (0 if kind in spec.specialties else 1, rank)
        return Candidate(name, value, observed_at, report.source, order,
                         float(spec.stale_after_seconds.get(kind, DEFAULT_STALE_SECONDS)), kind in report.failing)

    found = [make(name, reading.value, reading.observed_at) for name, reading in report.current.items()]
    for name in SUN_FIELDS:
        reading = getattr(report, name)
        if reading is not None:
            found.append(make(name, reading.value, reading.observed_at))
    if report.hourly is not None and report.hourly_at is not None:
        found.append(make("forecast_hourly", [p.model_dump(mode="json") for p in report.hourly], report.hourly_at))
    if report.daily is not None and report.daily_at is not None:
        found.append(make("forecast_daily", [p.model_dump(mode="json") for p in report.daily], report.daily_at))
    if report.alerts is not None and report.alerts_at is not None:
        found.append(make("alerts", report.alerts, report.alerts_at))
    return found


def choose(options: Sequence[Candidate], now: dt.datetime) -> MergedValue | None:
    if not options:
        return None
    fresh = [c for c in options if c.fresh(now)]
    if fresh:
        best = min(fresh, key=lambda c: (*c.rank, -c.observed_at.timestamp()))
        return MergedValue(best.field, best.value, best.source, best.observed_at, stale=False)
    newest = max(options, key=lambda c: (c.observed_at, -c.rank[0], -c.rank[1]))
    return MergedValue(newest.field, newest.value, newest.source, newest.observed_at, stale=True)


def merge_reports(reports: Sequence[SourceReport], specs: Mapping[str, SourceSpec],
                  now: dt.datetime) -> dict[str, MergedValue]:
    """``reports`` in priority order (first = best); returns one MergedValue per field anyone knows."""
    by_field: dict[str, list[Candidate]] = {}
    order = list(dict.fromkeys(report.source for report in reports))
    for report in reports:
        for candidate in candidates(report, order.index(report.source), specs[report.source]):
            by_field.setdefault(candidate.field, []).append(candidate)
    merged: dict[str, MergedValue] = {}
    for name in MERGED_FIELDS:
        chosen = choose(by_field.get(name, []), now)
        if chosen is not None:
            merged[name] = chosen
    return merged
