"""Merging by priority and freshness: the rules in merge.py's docstring, one case each."""

from __future__ import annotations

import datetime as dt

from hi.services.weather.merge import merge_reports
from hi.services.weather.sources.base import RateLimit, Reading, SourceReport, SourceSpec

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def spec(name: str, stale_after: float = 3600, specialties: frozenset[str] = frozenset()) -> SourceSpec:
    return SourceSpec(name=name, label=name, priority=0, rate_limits=(RateLimit(1, 1),), cache_seconds={},
                      stale_after_seconds={"current": stale_after, "sun": stale_after}, specialties=specialties)


SPECS = {"best": spec("best"), "next": spec("next")}


def report(source: str, minutes_old: float, value: float, field: str = "temperature", **extra: object) -> SourceReport:
    observed = NOW - dt.timedelta(minutes=minutes_old)
    return SourceReport(source=source, current={field: Reading(value=value, observed_at=observed)}, **extra)


def test_better_source_wins_while_fresh_even_when_a_worse_one_is_newer() -> None:
    merged = merge_reports([report("best", 50, 20.0), report("next", 1, 25.0)], SPECS, NOW)
    assert (merged["temperature"].value, merged["temperature"].source, merged["temperature"].stale) == (20.0, "best", False)


def test_worse_source_fills_in_when_the_better_value_is_stale() -> None:
    merged = merge_reports([report("best", 90, 20.0), report("next", 5, 25.0)], SPECS, NOW)
    assert (merged["temperature"].value, merged["temperature"].source) == (25.0, "next")


def test_worse_source_fills_a_gap_the_better_one_leaves() -> None:
    merged = merge_reports([report("best", 5, 20.0), report("next", 5, 60.0, field="humidity")], SPECS, NOW)
    assert merged["temperature"].source == "best" and merged["humidity"].source == "next"


def test_equal_rank_prefers_the_fresher_value() -> None:
    twin = {"best": spec("best")}
    merged = merge_reports([report("best", 30, 20.0), report("best", 2, 21.0)], twin, NOW)
    assert merged["temperature"].value == 21.0


def test_when_everything_is_stale_the_newest_is_kept_and_marked_stale_with_its_age() -> None:
    merged = merge_reports([report("best", 300, 20.0), report("next", 120, 25.0)], SPECS, NOW)
    value = merged["temperature"]
    assert (value.value, value.stale, value.age_seconds(NOW)) == (25.0, True, 7200.0)
    assert value.provenance(NOW) == {"source": "next", "observed_at": (NOW - dt.timedelta(hours=2)).isoformat(),
                                     "age_seconds": 7200, "stale": True}


def test_a_source_that_just_failed_counts_as_stale_so_the_next_takes_over() -> None:
    failing = report("best", 5, 20.0, failing={"current"})
    merged = merge_reports([failing, report("next", 5, 25.0)], SPECS, NOW)
    assert merged["temperature"].source == "next"


def test_a_specialist_outranks_the_configured_order_for_its_kind() -> None:
    specs = {"best": spec("best"), "sun": spec("sun", specialties=frozenset({"sun"}))}
    best = SourceReport(source="best", sunrise=Reading(value="06:00", observed_at=NOW))
    sun = SourceReport(source="sun", sunrise=Reading(value="06:01", observed_at=NOW - dt.timedelta(hours=1)))
    assert merge_reports([best, sun], specs, NOW)["sunrise"].source == "sun"
