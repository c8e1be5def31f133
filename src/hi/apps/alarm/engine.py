"""Rule evaluation: after each pipeline commit, only the rules that read a changed state are looked at.

Rules are indexed by the states their conditions read, so a change costs what the rules on *that*
state cost, not what all rules cost. Each rule's evaluation state (armed, since when each condition
holds, a held-for deadline) is kept in memory and written through to ``RuleRuntime`` whenever it
changes, so a restarted hub resumes exactly where it was: a door "open for 10 minutes" fires at
the right moment even when the hub restarted during those 10 minutes (the worker's tick calls
``check_due``). Firing itself (alerts, deliveries, control) is in ``firing.py``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from hi.apps.entity.models import EntityState
from hi.apps.household.timezones import localtime as household_localtime
from hi.apps.sense.bulk import upsert_rows
from hi.apps.sense.live.bus import StateChange

from .compiled import CompiledRule, Firing
from .conditions import condition_holds, condition_key, has_time_window, in_time_window
from .enums import Match
from .incidents import describe, matching, open_alerts
from .models import Rule, RuleRuntime

logger = logging.getLogger(__name__)

RECHECK_SECONDS = 2.0  # how often a process looks for rule edits made by other processes


@dataclass
class Runtime:
    """In-memory copy of a ``RuleRuntime`` row (``dirty`` when it must be written back)."""

    armed: bool = True
    cleared_at: dt.datetime | None = None
    true_since: dict[int, dt.datetime] = field(default_factory=dict)
    last_true: dict[int, dt.datetime] = field(default_factory=dict)
    due_at: dt.datetime | None = None
    last_fired_at: dt.datetime | None = None
    incidents: list[str] = field(default_factory=list)
    dirty: bool = False

    @classmethod
    def of(cls, row: RuleRuntime) -> Runtime:
        parse = dt.datetime.fromisoformat
        return cls(armed=row.armed, cleared_at=row.cleared_at,
                   true_since={int(k): parse(v) for k, v in row.true_since.items()},
                   last_true={int(k): parse(v) for k, v in row.last_true.items()},
                   due_at=row.due_at, last_fired_at=row.last_fired_at, incidents=list(row.incidents or []))

    def row(self, rule_id: int) -> _RuntimeRow:
        return _RuntimeRow(rule_id, self.armed, self.cleared_at,
                           {str(k): v.isoformat() for k, v in self.true_since.items()},
                           {str(k): v.isoformat() for k, v in self.last_true.items()},
                           self.due_at, self.last_fired_at, list(self.incidents))


@dataclass(slots=True)
class _RuntimeRow:
    """A ``RuleRuntime`` row's values for ``upsert_rows`` (a model instance per dirty rule cost more than its write)."""

    rule_id: int
    armed: bool
    cleared_at: dt.datetime | None
    true_since: dict[str, str]
    last_true: dict[str, str]
    due_at: dt.datetime | None
    last_fired_at: dt.datetime | None
    incidents: list[str]


@dataclass
class EngineStats:
    evaluations: int = 0
    fired: int = 0
    suppressed: int = 0
    loads: int = 0


_RUNTIME_FIELDS = ["armed", "cleared_at", "true_since", "last_true", "due_at", "last_fired_at", "incidents"]


class AlarmEngine:
    """One per process (``get_engine``); thread-safe (the pipeline thread and the worker's tick both call it)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._rules: dict[int, CompiledRule] = {}
        self._index: dict[int, list[int]] = {}
        self._runtime: dict[int, Runtime] = {}
        self._dirty: set[int] = set()
        self._stale = True
        self._signature: tuple[Any, ...] | None = None
        self._checked = float("-inf")
        self.stats = EngineStats()

    # -- index ---------------------------------------------------------------------------------
    def invalidate(self) -> None:
        """A rule changed in this process: reload before the next evaluation."""
        with self._lock:
            self._stale = True

    @staticmethod
    def _current_signature() -> tuple[Any, ...]:
        row = Rule.objects.aggregate(count=Count("id"), newest=Max("updated_at"))
        return row["count"], row["newest"]

    def _ensure_loaded(self) -> None:
        if not self._stale and time.monotonic() - self._checked < RECHECK_SECONDS:
            return
        self._checked = time.monotonic()
        signature = self._current_signature()
        if not self._stale and signature == self._signature:
            return
        rules = {r.pk: CompiledRule.of(r) for r in Rule.objects.filter(enabled=True)}
        index: dict[int, list[int]] = {}
        for rule in rules.values():
            for state_id in set(rule.state_ids):
                index.setdefault(state_id, []).append(rule.id)
        runtime = {row.rule_id: Runtime.of(row) for row in RuleRuntime.objects.filter(rule_id__in=list(rules))}
        self._rules, self._index, self._signature, self._stale = rules, index, signature, False
        self._runtime = {rid: runtime.get(rid) or Runtime() for rid in rules}
        self.stats.loads += 1

    def rule_count(self) -> int:
        with self._lock:
            self._ensure_loaded()
            return len(self._rules)

    # -- entry points ----------------------------------------------------------------------------
    def on_changes(self, items: Iterable[Any]) -> None:
        """The pipeline's hook, inside the batch's transaction (or after its commit): evaluate the rules that
        read any changed state. A failure forgets the in-memory state (it is reloaded from what committed)
        and is raised: the pipeline rolls back this work alone, keeps the readings, and calls again after
        the commit."""
        changes = [item for item in items if isinstance(item, StateChange)]
        if not changes:
            return
        try:
            self.evaluate_changes(changes)
        except Exception:
            self.invalidate()
            raise

    def evaluate_changes(self, changes: list[StateChange], now: dt.datetime | None = None) -> list[Firing]:
        now = now or timezone.now()
        with self._lock:
            self._ensure_loaded()
            if not any(change.state_id in self._index for change in changes):
                return []
        with _write_lock_first(), self._lock, self._forget_on_failure():
            self._ensure_loaded()
            if not any(change.state_id in self._index for change in changes):
                return []
            touched = {rid for change in changes for rid in self._index.get(change.state_id, ())}
            needed = {sid for rid in touched for sid in self._rules[rid].state_ids}
            changed_ids = {change.state_id for change in changes}
            values, since = self._read_states(needed - changed_ids)
            values.update(open_alerts({sid for rid in touched for sid in self._rules[rid].alert_states}))
            gate = _Gate(now)
            firings: list[Firing] = []
            for change in changes:
                values[change.state_id] = change.value
                since[change.state_id] = change.timestamp
                for rule_id in self._index.get(change.state_id, ()):
                    firings.extend(self._evaluate(self._rules[rule_id], values, since, now, gate))
            self._commit(firings)
        return firings

    def check_due(self, now: dt.datetime | None = None) -> list[Firing]:
        """Re-evaluate rules whose held-for deadline has come (the worker's tick; also after a restart)."""
        now = now or timezone.now()
        with self._lock:
            self._ensure_loaded()
            if not self._due(now):
                return []
        with _write_lock_first(), self._lock, self._forget_on_failure():
            self._ensure_loaded()
            due = self._due(now)
            if not due:
                return []
            values, since = self._read_states({sid for rid in due for sid in self._rules[rid].state_ids})
            if any(self._rules[rid].polled for rid in due):
                values.update(_integration_health())
            values.update(open_alerts({sid for rid in due for sid in self._rules[rid].alert_states}))
            gate = _Gate(now)
            firings = [f for rid in due for f in self._evaluate(self._rules[rid], values, since, now, gate)]
            self._commit(firings)
        return firings

    @contextmanager
    def _forget_on_failure(self) -> Iterator[None]:
        """The in-memory state ran ahead of writes that are rolled back: reload it before the next evaluation."""
        try:
            yield
        except BaseException:
            self._stale = True
            raise

    def _due(self, now: dt.datetime) -> list[int]:
        due = [rid for rid, rt in self._runtime.items() if rt.due_at is not None and rt.due_at <= now]
        return due + [rid for rid, rule in self._rules.items() if rule.polled and rid not in due]

    def would_fire(self, rule: Rule, now: dt.datetime | None = None) -> dict[str, Any]:
        """"What would fire now": the rule's conditions against current values, changing nothing."""
        now = now or timezone.now()
        compiled = CompiledRule.of(rule)
        values, since = self._read_states(set(compiled.state_ids))
        if compiled.polled:
            values.update(_integration_health())
        values.update(open_alerts(compiled.alert_states))
        details = []
        for index, condition in enumerate(compiled.conditions):
            key = condition_key(condition)
            value = values.get(key)
            holds = condition_holds(condition, value)
            if condition["op"] == "alert":  # the matching alerts, not every open event
                value = sorted(info["event"] for info in matching(condition, value).values())
            began = since.get(key) if isinstance(key, int) else None
            held = holds and (now - (began or now)).total_seconds() >= condition.get("held_for", 0)
            details.append({"index": index, "state": key, "value": value, "holds": holds, "held": held})
        oks = [d["held"] for d in details]
        satisfied = all(oks) if compiled.match == Match.ALL else any(oks)
        gate = _Gate(now)
        mode = gate.mode
        allowed, reason = gate.allows(compiled)
        return {"conditions": details, "satisfied": satisfied, "mode": mode, "allowed": allowed,
                "reason": reason, "would_fire": satisfied and allowed and rule.enabled}

    # -- evaluation ------------------------------------------------------------------------------
    @staticmethod
    def _read_states(state_ids: set[int]) -> tuple[dict[Any, Any], dict[Any, dt.datetime]]:
        if not state_ids:
            return {}, {}
        values: dict[int, Any] = {}
        since: dict[int, dt.datetime] = {}
        for sid, value, updated in EntityState.objects.filter(id__in=state_ids).values_list(
                "id", "value", "value_updated_at"):
            values[sid] = value
            if updated is not None:
                since[sid] = updated
        return values, since

    def _evaluate(self, rule: CompiledRule, values: Mapping[Any, Any], since: Mapping[Any, dt.datetime],
                  now: dt.datetime, gate: _Gate) -> list[Firing]:
        self.stats.evaluations += 1
        rt = self._runtime.setdefault(rule.id, Runtime())
        # since-when is worth a write only where it decides something later: held-for and windows
        timed = bool(rule.window) or any(c.get("held_for") for c in rule.conditions)
        before = (rt.armed, rt.cleared_at, rt.due_at,
                  (dict(rt.true_since), dict(rt.last_true)) if timed else None)
        before_incidents = list(rt.incidents)
        oks: list[bool] = []
        pending: list[dt.datetime] = []
        for index, condition in enumerate(rule.conditions):
            state_id = condition_key(condition)
            holds = condition_holds(condition, values.get(state_id))
            if holds:
                if index not in rt.true_since:
                    rt.true_since[index] = min(since.get(state_id, now), now)
                    rt.last_true[index] = rt.true_since[index]
            else:
                rt.true_since.pop(index, None)
            held_for = condition.get("held_for", 0)
            ok = holds and (not held_for or now - rt.true_since[index] >= dt.timedelta(seconds=held_for))
            if holds and not ok:
                pending.append(rt.true_since[index] + dt.timedelta(seconds=held_for))
            if not ok and rule.window and not held_for and index in rt.last_true:
                ok = now - rt.last_true[index] <= dt.timedelta(seconds=rule.window)
            oks.append(ok)
        satisfied = all(oks) if rule.match == Match.ALL else any(oks)
        rt.due_at = min(pending) if pending and not satisfied else None
        firings: list[Firing] = []
        current = self._incidents(rule, values) if satisfied else {}
        new = [cid for cid in current if cid not in rt.incidents]
        if satisfied and new and not rt.armed:  # another alert (a second warning): a new incident
            rt.armed, rt.cleared_at = True, None
        if not satisfied:
            if not rt.armed and rt.cleared_at is None:
                rt.cleared_at = now
            if not rt.armed and now - rt.cleared_at >= dt.timedelta(seconds=rule.quiet):
                rt.armed, rt.cleared_at = True, None
        else:
            if not rt.armed and rt.cleared_at is not None:
                if now - rt.cleared_at >= dt.timedelta(seconds=rule.quiet):
                    rt.armed, rt.cleared_at = True, None
                else:
                    rt.cleared_at = None  # it came back inside the quiet period: the same incident
            if rt.armed:
                allowed, _reason = gate.allows(rule)
                if allowed:
                    rt.armed, rt.cleared_at, rt.last_fired_at = False, None, now
                    snapshot = {sid: values.get(sid) for sid in rule.state_ids}
                    firings = [Firing(rule=rule, at=now, values=snapshot, mode=gate.mode, incident=cid,
                                      detail=describe(current[cid]), event_ids=[current[cid]["event_id"]])
                               for cid in (new or list(current))] if current else [
                        Firing(rule=rule, at=now, values=snapshot, mode=gate.mode)]
                    self.stats.fired += len(firings)
                else:
                    self.stats.suppressed += 1
        fired_for = {f.incident for f in firings}
        seen = sorted(cid for cid in current if cid in rt.incidents or cid in fired_for)
        if seen != rt.incidents:
            rt.incidents = seen
        after = (rt.armed, rt.cleared_at, rt.due_at, (rt.true_since, rt.last_true) if timed else None)
        if after != before or firings or seen != before_incidents:
            rt.dirty = True
            self._dirty.add(rule.id)
        return firings

    @staticmethod
    def _incidents(rule: CompiledRule, values: Mapping[Any, Any]) -> dict[str, dict[str, Any]]:
        """The open alerts a satisfied rule's alert conditions match, by alert id (empty: no alert conditions)."""
        found: dict[str, dict[str, Any]] = {}
        for condition in rule.conditions:
            if condition.get("op") == "alert":
                found.update(matching(condition, values.get(condition_key(condition))))
        return found

    def _write_runtime(self) -> None:
        dirty = [(rid, self._runtime[rid]) for rid in sorted(self._dirty) if rid in self._rules]
        self._dirty.clear()
        if not dirty:
            return
        upsert_rows(RuleRuntime, [rt.row(rid) for rid, rt in dirty], _RUNTIME_FIELDS)
        for _rid, rt in dirty:
            rt.dirty = False

    def _commit(self, firings: list[Firing]) -> None:
        """Runtime changes and every firing of one evaluation, in the caller's transaction (the pipeline batch's
        savepoint, or the one ``_write_lock_first`` opened): all or nothing, so a rule never counts as fired
        without its alert. A failure propagates; the caller forgets the in-memory state."""
        if not firings and not self._dirty:
            return
        from .firing import fire_many

        self._write_runtime()
        if firings:
            fire_many(firings)


def _write_lock_first() -> AbstractContextManager[Any]:
    """A transaction, opened before the engine's lock is taken, unless the caller's is already open.

    A pipeline batch evaluates inside its transaction, so on SQLite it holds the database's write
    lock when it asks for the engine's; everyone else must take them in that order too, or a tick
    holding the engine's lock would wait for the write lock the batch holds while the batch waits
    for the engine (until SQLite's busy timeout).
    """
    if transaction.get_connection().in_atomic_block:
        return nullcontext()
    return transaction.atomic()


def _integration_health() -> dict[str, str]:
    """Every integration's health status, keyed as integration conditions read them (one query)."""
    from hi.integrations.models import Integration

    return {f"integration:{iid}": status for iid, status in
            Integration.objects.values_list("integration_id", "health_status")}


class _Gate:
    """The mode and snooze as of ``now``, read at most once per evaluation (only if a rule wants to fire)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self._read: tuple[str, bool] | None = None
        self._local: dt.datetime | None = None

    @property
    def local_now(self) -> dt.datetime:
        """``now`` in household time, once per evaluation (finding the zone reads settings and files)."""
        if self._local is None:
            self._local = household_localtime(self.now)
        return self._local

    def _load(self) -> tuple[str, bool]:
        if self._read is None:
            from .modes import effective_and_snoozed

            self._read = effective_and_snoozed(self.now)
        return self._read

    @property
    def mode(self) -> str:
        return self._load()[0]

    def allows(self, rule: CompiledRule) -> tuple[bool, str]:
        """Life safety fires always; others need their mode, no snooze, and their time of day."""
        if rule.life_safety:
            return True, ""
        mode, snoozed = self._load()
        if mode not in rule.modes:
            return False, f"not in {mode} mode"
        if snoozed:
            return False, "snoozed"
        if (has_time_window(rule.time_from, rule.time_to, rule.days)  # no window: household time not needed
                and not in_time_window(rule.time_from, rule.time_to, rule.days, self.local_now)):
            return False, "outside its time of day or days"
        return True, ""


_engine: AlarmEngine | None = None
_engine_lock = threading.Lock()


def get_engine() -> AlarmEngine:
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = AlarmEngine()
        return _engine


def reset_engine() -> None:
    """Forget the in-memory state, as a restarted process would (tests use it to simulate a restart)."""
    global _engine
    with _engine_lock:
        _engine = None
