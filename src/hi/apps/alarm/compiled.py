"""What evaluation and firing share: a rule compiled for evaluation, and one firing of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .models import Rule


@dataclass
class CompiledRule:
    """What evaluation needs of a Rule, read once per index load."""

    id: int
    name: str
    level: str
    match: str
    window: int | None
    conditions: list[dict[str, Any]]
    state_ids: list[int]
    modes: list[str]
    life_safety: bool
    time_from: dt.time | None
    time_to: dt.time | None
    days: list[int]
    actions: list[dict[str, Any]]
    quiet: int
    expire_minutes: int | None

    @property
    def polled(self) -> bool:
        """Reads something other than states (an integration's health): the worker's tick evaluates it."""
        return any("state" not in c for c in self.conditions)

    @property
    def alert_states(self) -> set[int]:
        """States whose open alert events a condition reads (each alert id is its own incident)."""
        return {c["state"] for c in self.conditions if c.get("op") == "alert"}

    @classmethod
    def of(cls, rule: Rule) -> CompiledRule:
        return cls(id=rule.pk, name=rule.name, level=rule.level, match=rule.match, window=rule.window_seconds,
                   conditions=list(rule.conditions), state_ids=[c["state"] for c in rule.conditions if "state" in c],
                   modes=list(rule.modes), life_safety=rule.life_safety, time_from=rule.time_from,
                   time_to=rule.time_to, days=list(rule.days), actions=list(rule.actions), quiet=rule.quiet_seconds,
                   expire_minutes=rule.expire_minutes)


@dataclass
class Firing:
    """A rule that fired: what ``firing.fire`` needs to record it."""

    rule: CompiledRule
    at: dt.datetime
    values: dict[int, Any]
    mode: str
    incident: str = ""  # an integration's alert id: one alert per incident, not per rule
    detail: str = ""  # what the incident is (a weather alert's headline)
    event_ids: list[int] | None = None  # the incident's own events (None: the states' open events)
