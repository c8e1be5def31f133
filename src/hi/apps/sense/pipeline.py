"""The SensorResponse pipeline: a batch of readings becomes history, current values, events and live changes.

One batch is one transaction with a fixed, small number of queries whatever its size, so
ingest keeps up with busy integrations on SQLite. Async callers go through ``aprocess``,
which runs every batch on one dedicated thread so batches never interleave.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import logging
import math
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from django.db import IntegrityError, close_old_connections, connection, connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from hi.apps.control.confirmation import confirm_pending_controls
from hi.apps.entity.enums import binary_values, event_value
from hi.apps.entity.models import EntityState
from hi.apps.event.recorder import EventRecorder
from hi.integrations.sensor_response import SensorResponse
from hi.utils.singleton import shared

from .bulk import insert_values, update_rows
from .live.bus import LiveBus, StateChange, get_live_bus
from .live.feed import LiveFeedWriter
from .models import Sensor, SensorHistory

__all__ = ["SensorResponsePipeline", "StateChange", "add_change_listener", "get_pipeline"]

logger = logging.getLogger(__name__)

_LOOKUP_CHUNK = 500
_MAX_REMEMBERED_UNKNOWN = 5000
# a repeated value refreshes ``last_response_at`` only when it is older than this (saves writes)
_FRESHNESS = dt.timedelta(seconds=60)
_SENSOR_COLUMNS = (
    "id", "integration_name", "provides_history", "last_value", "last_response_at", "entity_state_id",
    "entity_state__entity_id", "entity_state__state_type", "entity_state__value", "entity_state__value_updated_at",
    "entity_state__entity__integration_id", "entity_state__entity__integration_name",
)


class SensorRow:
    """What a batch needs of one Sensor (and writes back through ``update_rows``)."""

    __slots__ = ("entity_state_id", "id", "key", "last_response_at", "last_value", "provides_history")

    def __init__(self, sensor_id: int, key: str, provides_history: bool, last_value: Any,
                 last_response_at: dt.datetime | None, entity_state_id: int) -> None:
        self.id = sensor_id
        self.key = key
        self.provides_history = provides_history
        self.last_value = last_value
        self.last_response_at = last_response_at
        self.entity_state_id = entity_state_id

    @property
    def pk(self) -> int:
        return self.id


class StateRow:
    """What a batch needs of one EntityState."""

    __slots__ = ("entity_id", "entity_key", "id", "state_type", "value", "value_updated_at")

    def __init__(self, state_id: int, entity_id: int, state_type: str, value: Any,
                 value_updated_at: dt.datetime | None, entity_key: str) -> None:
        self.id = state_id
        self.entity_id = entity_id
        self.state_type = state_type
        self.value = value
        self.value_updated_at = value_updated_at
        self.entity_key = entity_key

    @property
    def pk(self) -> int:
        return self.id


@dataclass
class PipelineStats:
    """Running totals since start; the worker shows them in health details."""

    batches: int = 0
    received: int = 0
    applied: int = 0
    duplicates: int = 0
    unknown_keys: int = 0
    malformed: int = 0
    out_of_order: int = 0
    history_written: int = 0
    events_opened: int = 0
    events_closed: int = 0
    controls_confirmed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class _Malformed(ValueError):
    """A response value or detail that cannot be stored as JSON."""


def _json_safe(value: Any) -> Any:
    """Return ``value`` in a form JSONField stores identically on SQLite and PostgreSQL."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Malformed("not a finite number")
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    try:
        return json.loads(json.dumps(value, allow_nan=False, default=str))
    except (TypeError, ValueError) as exc:
        raise _Malformed(str(exc)) from exc


def _normalise(state_type: str, value: Any) -> Any:
    """Two-valued states compare case-insensitively ("ON" is "on"); everything else as given."""
    if isinstance(value, str) and binary_values(state_type) is not None:
        return value.strip().lower()
    return value


def _same(a: Any, b: Any) -> bool:
    """Equality that does not confuse True with 1."""
    return a == b and type(a) is type(b) if isinstance(a, bool) or isinstance(b, bool) else a == b


def _fingerprint(value: Any) -> str:
    """A stored reading's value in a form that compares equal exactly when the values are the same."""
    return json.dumps(value, sort_keys=True, default=str)


def _recorded_readings(batch: Sequence[SensorResponse], sensors: dict[tuple[str, str], SensorRow],
                       states: dict[int, StateRow]) -> set[tuple[int, dt.datetime, str]]:
    """(sensor, time, value) of stored history rows a response of this batch may repeat.

    Only a response no newer than its state's current value can repeat a stored reading (a newer
    one is a new change), so the usual batch costs no query; a late report of an older change, such
    as the second of two reporters of one change, costs one indexed lookup for the whole batch.
    """
    candidates: dict[int, set[dt.datetime]] = defaultdict(set)
    for response in batch:
        key = response.integration_key
        sensor = sensors.get((key.integration_id, key.integration_name))
        if sensor is None or response.correlation is not None:
            continue
        updated = states[sensor.entity_state_id].value_updated_at
        if updated is not None and response.timestamp <= updated:
            candidates[sensor.id].add(response.timestamp)
    if not candidates:
        return set()
    moments = set().union(*candidates.values())
    rows = SensorHistory.objects.filter(sensor_id__in=list(candidates), response_at__in=list(moments)) \
        .values_list("sensor_id", "response_at", "value")
    return {(sensor_id, moment, _fingerprint(value)) for sensor_id, moment, value in rows
            if moment in candidates[sensor_id]}


def _lock(sensors: QuerySet[Sensor]) -> None:
    """Lock the sensors and their states until the batch commits (PostgreSQL; SQLite serialises writers).

    A statement of its own, before the one that reads them: a statement that waited for a lock sees
    the rows it locked as the other batch left them but every joined row as before the wait, so a
    late report of a change that batch recorded would be stored a second time, over a newer value.
    """
    list(sensors.select_related("entity_state").select_for_update(of=("self", "entity_state"))
         .only("id", "entity_state__id"))


class SensorResponsePipeline:
    """Processes batches of SensorResponses; one instance per process (see ``get_pipeline``)."""

    def __init__(self, bus: LiveBus | None = None, origin: str | None = None) -> None:
        self.bus = bus or get_live_bus()
        self.feed = LiveFeedWriter(origin)  # other processes' SSE streams read committed batches from it
        self.stats = PipelineStats()
        self._unknown_seen: set[str] = set()
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    # -- public ---------------------------------------------------------------------------------
    def process(self, responses: Iterable[SensorResponse]) -> list[StateChange]:
        """Apply one batch in one transaction; return the committed changes (published after commit)."""
        batch = [r for r in responses if self._well_formed(r)]
        if not batch:
            return []
        try:
            return self._process_atomically(batch)
        except IntegrityError:
            # a sync removed a sensor between our read and our write: read again, it is now unknown.
            # The retry runs every listener after its commit, so a listener's rows that broke the
            # first commit (a deferred foreign key) cannot cost the readings a second time.
            logger.info("sensor batch collided with a concurrent change; retrying once")
            return self._process_atomically(batch, listeners_inside=False)

    def _process_atomically(self, batch: list[SensorResponse], listeners_inside: bool = True) -> list[StateChange]:
        # in-transaction listeners join only a transaction this batch owns: inside a caller's, a rollback
        # the pipeline never sees could undo what they wrote after they had counted it done
        inside = listeners_inside and bool(_transaction_listeners) and not transaction.get_connection().in_atomic_block
        ran: list[_Listener] = []
        try:
            with transaction.atomic():
                changes, counts = self._process(batch)
                if changes:
                    self.feed.record(changes)
                    later = [entry.listener for entry in _transaction_listeners]
                    transaction.on_commit(functools.partial(self._committed, changes, later))  # published first
                    if inside:
                        ran = self._run_inside(changes, later)
        except BaseException:
            for entry in ran:
                _notify_rollback(entry)
            raise
        self._add_counts(counts)
        return changes

    @staticmethod
    def _run_inside(changes: list[StateChange], later: list[Callable[[list[StateChange]], None]]) -> list[_Listener]:
        """Call the in-transaction listeners, each in a savepoint: one that fails is rolled back alone (the
        readings stay) and is called again after the commit instead; return the ones whose work is pending.

        ``later`` is the list the after-commit callback already holds: a listener that ran is taken off it.
        """
        ran = []
        for entry in list(_transaction_listeners):
            try:
                with transaction.atomic():
                    entry.listener(changes)
            except Exception:
                _notify_rollback(entry)
                if transaction.get_rollback():  # even the savepoint could not be undone: the batch cannot commit
                    raise
                logger.exception("a change listener failed inside the batch; it runs again after the commit")
                continue
            ran.append(entry)
            later.remove(entry.listener)
        return ran

    def _committed(self, changes: list[StateChange], transaction_listeners: list[Callable[..., None]]) -> None:
        """After commit: live readers first, then the listeners (alarm rules) on this same thread; the
        in-transaction listeners that did not run inside this batch's transaction run here too."""
        self.bus.publish(changes)
        for listener in [*transaction_listeners, *_change_listeners]:
            try:
                listener(changes)
            except Exception:
                logger.exception("a change listener failed")

    async def aprocess(self, responses: Iterable[SensorResponse]) -> list[StateChange]:
        """``process`` off the event loop, on the pipeline's single thread (batches stay ordered)."""
        batch = list(responses)
        if not batch:
            return []
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._get_executor(), self._process_on_thread, batch)

    def shutdown(self) -> None:
        """Close the pipeline thread's database connection and stop the thread."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.submit(connections.close_all).result()
            executor.shutdown(wait=True)

    # -- internals ------------------------------------------------------------------------------
    def _get_executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hi-pipeline")
            return self._executor

    def _process_on_thread(self, batch: list[SensorResponse]) -> list[StateChange]:
        close_old_connections()
        return self.process(batch)

    def _well_formed(self, response: Any) -> bool:
        if isinstance(response, SensorResponse):
            return True
        with self._lock:
            self.stats.malformed += 1
        logger.warning("skipping something that is not a SensorResponse: %r", type(response).__name__)
        return False

    def _load_sensors(self, batch: Sequence[SensorResponse]) -> tuple[dict[tuple[str, str], SensorRow],
                                                                        dict[int, StateRow]]:
        """Every sensor the batch names, with its state, in one query per integration (chunked).

        Plain rows instead of model instances: building ORM objects was most of a batch's cost.
        """
        names_by_integration: dict[str, set[str]] = defaultdict(set)
        for response in batch:
            key = response.integration_key
            names_by_integration[key.integration_id].add(key.integration_name)
        sensors: dict[tuple[str, str], SensorRow] = {}
        states: dict[int, StateRow] = {}
        for integration_id, names in names_by_integration.items():
            ordered = sorted(names)
            for start in range(0, len(ordered), _LOOKUP_CHUNK):
                chunk = ordered[start:start + _LOOKUP_CHUNK]
                sensors_of_chunk = Sensor.objects.filter(integration_id=integration_id,
                                                         integration_name__in=chunk).order_by("id")
                if connection.features.has_select_for_update:
                    _lock(sensors_of_chunk)
                rows = sensors_of_chunk.values_list(*_SENSOR_COLUMNS)
                for (sensor_id, name, provides_history, last_value, last_response_at, state_id, entity_id,
                     state_type, value, value_updated_at, entity_iid, entity_name) in rows:
                    state = states.get(state_id)
                    if state is None:
                        entity_key = f"{entity_iid}:{entity_name}" if entity_iid and entity_name else ""
                        state = states[state_id] = StateRow(state_id, entity_id, state_type, value,
                                                            value_updated_at, entity_key)
                    sensors[(integration_id, name)] = SensorRow(
                        sensor_id, f"{integration_id}:{name}", provides_history, last_value, last_response_at,
                        state_id)
        return sensors, states

    def _note_unknown(self, key: str) -> None:
        with self._lock:
            self.stats.unknown_keys += 1
            first_time = key not in self._unknown_seen and len(self._unknown_seen) < _MAX_REMEMBERED_UNKNOWN
            if first_time:
                self._unknown_seen.add(key)
        if first_time:
            logger.warning("sensor response for unknown key %s skipped (later ones are only counted)", key)

    def _process(self, batch: list[SensorResponse]) -> tuple[list[StateChange], PipelineStats]:
        now = timezone.now()
        sensors, states = self._load_sensors(batch)
        recorder = EventRecorder()
        recorder.preload(
            correlation_keys=[(sensors[k].entity_state_id, r.correlation.correlation_id) for r in batch
                              if r.correlation is not None
                              and (k := (r.integration_key.integration_id, r.integration_key.integration_name))
                              in sensors],
            active_state_ids=[s.id for s in states.values()
                              if (active := event_value(s.state_type)) is not None and s.value == active],
        )
        history: list[tuple[int, Any, dt.datetime, Any]] = []
        recorded = _recorded_readings(batch, sensors, states)
        dirty_sensors: dict[int, SensorRow] = {}
        dirty_states: dict[int, StateRow] = {}
        applied: dict[int, list[Any]] = defaultdict(list)
        changes: list[StateChange] = []
        counts = PipelineStats(batches=1, received=len(batch))

        for response in batch:
            key = response.integration_key
            sensor = sensors.get((key.integration_id, key.integration_name))
            if sensor is None:
                self._note_unknown(str(key))
                continue
            state = states[sensor.entity_state_id]
            try:
                value = _json_safe(_normalise(state.state_type, response.value))
                details = _json_safe(dict(response.detail_attrs)) if response.detail_attrs else {}
            except _Malformed as exc:
                counts.malformed += 1
                logger.warning("skipping malformed response for %s: %s", key, exc)
                continue
            moment = response.timestamp
            if response.correlation is None and _same(value, sensor.last_value):
                counts.duplicates += 1
                if sensor.last_response_at is None or moment - sensor.last_response_at > _FRESHNESS:
                    sensor.last_response_at = moment
                    dirty_sensors[sensor.id] = sensor
                continue
            if recorder.is_duplicate(state, response):
                counts.duplicates += 1
                continue
            reading = (sensor.id, moment, _fingerprint(value))
            if response.correlation is None and reading in recorded:
                # the same reading reported again after a newer one (e.g. a control's answer and the
                # live monitor both reporting one Home Assistant change): one change, one history row
                counts.duplicates += 1
                continue
            recorded.add(reading)
            if sensor.provides_history:
                history.append((sensor.id, value, moment, self._history_details(response, details)))
            in_order = state.value_updated_at is None or moment >= state.value_updated_at
            previous = state.value
            if in_order:
                sensor.last_value = value
                sensor.last_response_at = moment
                dirty_sensors[sensor.id] = sensor
                state.value_updated_at = moment
                dirty_states[state.id] = state
                if not _same(previous, value):
                    state.value = value
                    applied[state.id].append(value)
                    changes.append(self._change(sensor, state, value, previous, moment))
            else:
                counts.out_of_order += 1
            if response.correlation is not None:
                recorder.correlated(sensor, state, response, value)
            elif in_order:
                recorder.transition(sensor, state, previous, value, moment)

        insert_values(SensorHistory, ["sensor", "value", "response_at", "details"], history)
        update_rows(Sensor, list(dirty_sensors.values()), ["last_value", "last_response_at"])
        update_rows(EntityState, list(dirty_states.values()), ["value", "value_updated_at"])
        recorder.flush()
        if applied:
            counts.controls_confirmed = confirm_pending_controls(applied, now)
        counts.applied = len(changes)
        counts.history_written = len(history)
        counts.events_opened = recorder.opened
        counts.events_closed = recorder.closed
        return changes, counts

    @staticmethod
    def _history_details(response: SensorResponse, details: dict[str, Any]) -> dict[str, Any] | None:
        if response.correlation is None and not response.source:
            return details or None
        extra: dict[str, Any] = dict(details)
        if response.correlation is not None:
            extra["correlation"] = {"role": response.correlation.role, "id": response.correlation.correlation_id}
        if response.source:
            extra["source"] = response.source
        return extra

    @staticmethod
    def _change(sensor: SensorRow, state: StateRow, value: Any, previous: Any, moment: dt.datetime) -> StateChange:
        keys = (sensor.key, state.entity_key) if state.entity_key and state.entity_key != sensor.key else (sensor.key,)
        return StateChange(entity_id=state.entity_id, state_id=state.id, integration_keys=keys,
                           value=value, previous_value=previous, timestamp=moment)

    def _add_counts(self, counts: PipelineStats) -> None:
        with self._lock:
            for name, amount in counts.as_dict().items():
                if name != "unknown_keys":
                    setattr(self.stats, name, getattr(self.stats, name) + amount)


_change_listeners: list[Callable[[list[StateChange]], None]] = []


@dataclass(frozen=True)
class _Listener:
    listener: Callable[[list[StateChange]], None]
    rolled_back: Callable[[], None] | None


_transaction_listeners: list[_Listener] = []


def _notify_rollback(entry: _Listener) -> None:
    if entry.rolled_back is not None:
        try:
            entry.rolled_back()
        except Exception:
            logger.exception("a change listener's rollback handler failed")


def add_change_listener(listener: Callable[[list[StateChange]], None], *, in_transaction: bool = False,
                        rolled_back: Callable[[], None] | None = None) -> None:
    """Call ``listener(changes)`` for each batch, on the pipeline's thread (apps above sense use it).

    By default after the batch commits. ``in_transaction`` listeners run inside the batch's own
    transaction instead, after its writes, so their writes share its one commit; each runs in a
    savepoint, so its failure rolls back only its own work (the readings commit) and it is called
    again after the commit. Where the batch cannot own its transaction (a caller's is open) or is
    retried, they run after the commit too. ``rolled_back()`` is called when work a listener did
    inside a transaction was undone (its savepoint, or the whole batch, rolled back), so a listener
    that keeps state in memory can drop it.
    """
    if in_transaction:
        if all(entry.listener is not listener for entry in _transaction_listeners):
            _transaction_listeners.append(_Listener(listener, rolled_back))
    elif listener not in _change_listeners:
        _change_listeners.append(listener)


def get_pipeline() -> SensorResponsePipeline:
    """The process-wide pipeline (its single thread is what keeps async batches ordered)."""
    return shared(SensorResponsePipeline)
