"""The simulated Home Assistant's state machine: states, times, contexts and the change events they fire.

Kept apart from the server so the REST and WebSocket sides share one source of truth.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .profiles import PROFILES, REGISTRIES
from .registry import RegistryStore

_context_ids = itertools.count(1)
_RECORDED_PER_ENTITY = 1000  # the recorder keeps days; the simulator keeps each entity's last states


def new_context() -> dict[str, Any]:
    """A context like Home Assistant's (ULID-sized id)."""
    return {"id": f"01SIM{next(_context_ids):021d}", "parent_id": None, "user_id": None}


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


@dataclass
class SimState:
    """One entity's state with the times Home Assistant keeps for it."""

    entity_id: str
    state: str
    attributes: dict[str, Any]
    last_changed: dt.datetime
    last_updated: dt.datetime
    context: dict[str, Any] = field(default_factory=new_context)

    def as_dict(self) -> dict[str, Any]:
        return {"entity_id": self.entity_id, "state": self.state, "attributes": self.attributes,
                "last_changed": _iso(self.last_changed), "last_reported": _iso(self.last_updated),
                "last_updated": _iso(self.last_updated), "context": self.context}

    def compact(self) -> dict[str, Any]:
        """The ``subscribe_entities`` form: ``s``, ``a``, ``c``, ``lc`` and ``lu`` only when it differs."""
        out: dict[str, Any] = {"s": self.state, "a": self.attributes, "c": self.context["id"],
                               "lc": self.last_changed.timestamp()}
        if self.last_updated != self.last_changed:
            out["lu"] = self.last_updated.timestamp()
        return out


Listener = Callable[[str, "SimState | None", "SimState | None"], None]


class StateStore:
    """Entity id → SimState; every change calls the listeners with (entity_id, old, new)."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.states: dict[str, SimState] = {}
        self.recorded: dict[str, deque[SimState]] = {}
        self.listeners: list[Listener] = []
        self.registry = RegistryStore()
        self.reset()

    def reset(self) -> None:
        now = dt.datetime.now(dt.UTC)
        seeds = PROFILES[self.profile]()
        self.states = {eid: SimState(eid, state, dict(attrs), now, now) for eid, state, attrs in seeds}
        self.registry.load(REGISTRIES[self.profile](seeds), list(self.states))
        self.recorded = {eid: deque([state], maxlen=_RECORDED_PER_ENTITY) for eid, state in self.states.items()}

    def get(self, entity_id: str) -> SimState | None:
        return self.states.get(entity_id)

    def set(self, entity_id: str, state: str, attributes: dict[str, Any] | None = None,
            context: dict[str, Any] | None = None) -> SimState | None:
        """Write a state; returns the new SimState, or None when nothing changed (no event fires)."""
        old = self.states.get(entity_id)
        attrs = dict(attributes) if attributes is not None else (dict(old.attributes) if old else {})
        if old is not None and old.state == state and old.attributes == attrs:
            return None
        now = dt.datetime.now(dt.UTC)
        last_changed = old.last_changed if old is not None and old.state == state else now
        new = SimState(entity_id, state, attrs, last_changed, now, context or new_context())
        self.states[entity_id] = new
        self.recorded.setdefault(entity_id, deque(maxlen=_RECORDED_PER_ENTITY)).append(new)
        if old is None:
            self.registry.add_entity(entity_id)
        self._notify(entity_id, old, new)
        return new

    def history(self, entity_id: str, start: dt.datetime, end: dt.datetime | None = None) -> list[SimState]:
        """Like the recorder's ``history/period``: the state current at ``start``, then every later one."""
        recorded = list(self.recorded.get(entity_id, ()))
        before = [s for s in recorded if s.last_updated <= start]
        after = [s for s in recorded if s.last_updated > start and (end is None or s.last_updated <= end)]
        return before[-1:] + after

    def remove(self, entity_id: str) -> bool:
        old = self.states.pop(entity_id, None)
        if old is None:
            return False
        self._notify(entity_id, old, None)
        return True

    def _notify(self, entity_id: str, old: SimState | None, new: SimState | None) -> None:
        for listener in list(self.listeners):
            listener(entity_id, old, new)
