"""Turns one batch of sensor responses into Event rows: correlated start/end and plain transitions.

The pipeline drives it: it preloads what the batch can touch in two queries, keeps every
change in memory while the batch is walked in order, then writes with one bulk insert and
one bulk update.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.utils.dateparse import parse_datetime

from hi.apps.entity.enums import event_value
from hi.apps.sense.bulk import insert_rows, update_rows
from hi.integrations.sensor_response import SensorResponse

from .models import Event

# detail keys an integration may use to say when a condition began (an end without a start)
_START_KEYS = ("start", "start_time", "started_at", "StartTime")
_UPDATE_FIELDS = ["start", "end", "duration_seconds", "details", "value"]
_INSERT_FIELDS = ["entity", "entity_state", "sensor", "value", "start", "end", "duration_seconds",
                  "correlation_id", "details"]


class StateLike(Protocol):
    id: int
    entity_id: int
    state_type: str


class SensorLike(Protocol):
    id: int


def _duration(start: dt.datetime, end: dt.datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def _start_from_details(details: Mapping[str, Any], end: dt.datetime) -> dt.datetime | None:
    """A start time the integration supplied in its details, if it is sane (aware, not after end)."""
    for key in _START_KEYS:
        raw = details.get(key)
        moment = raw if isinstance(raw, dt.datetime) else parse_datetime(raw) if isinstance(raw, str) else None
        if moment is not None and moment.tzinfo is not None and moment <= end:
            return moment
    return None


class EventRecorder:
    """Opens and closes Events for one batch; call ``preload`` first and ``flush`` last."""

    def __init__(self) -> None:
        self._correlated: dict[tuple[int, str], Event] = {}
        self._open_plain: dict[int, Event] = {}
        self._new: list[Event] = []
        self._dirty: dict[int, Event] = {}
        self.opened = 0
        self.closed = 0

    # -- loading --------------------------------------------------------------------------------
    def preload(self, correlation_keys: Iterable[tuple[int, str]], active_state_ids: Iterable[int]) -> None:
        """Fetch the events this batch may touch: by correlation id, and open plain ones of active states."""
        correlation_keys = set(correlation_keys)
        if correlation_keys:
            state_ids = {state_id for state_id, _ in correlation_keys}
            ids = {cid for _, cid in correlation_keys}
            for event in Event.objects.filter(entity_state_id__in=state_ids, correlation_id__in=ids):
                self._correlated[(event.entity_state_id, event.correlation_id)] = event
        active_state_ids = set(active_state_ids)
        if active_state_ids:
            # correlation is checked here, not in SQL: with it in the WHERE clause SQLite (without
            # ANALYZE statistics) walks event_correlation, i.e. every plain event the state ever had,
            # instead of event_open_by_state's few open ones, and ingest slows as history grows
            open_events = Event.objects.filter(entity_state_id__in=active_state_ids,
                                               end__isnull=True).order_by("start", "id")
            for event in open_events:
                if not event.correlation_id:
                    self._open_plain[event.entity_state_id] = event  # the latest wins

    # -- decisions ------------------------------------------------------------------------------
    def is_duplicate(self, state: StateLike, response: SensorResponse) -> bool:
        """True for an exact repeat: a second start of a known event, or an end of a closed one."""
        correlation = response.correlation
        if correlation is None:
            return False
        event = self._correlated.get((state.id, correlation.correlation_id))
        if event is None:
            return False
        if correlation.role == "start":
            return not (event.details.get("start_unknown") and response.timestamp <= event.start)
        return event.end is not None

    # -- changes --------------------------------------------------------------------------------
    def correlated(self, sensor: SensorLike, state: StateLike, response: SensorResponse, value: Any) -> None:
        correlation = response.correlation
        assert correlation is not None
        key = (state.id, correlation.correlation_id)
        event = self._correlated.get(key)
        details = dict(response.detail_attrs)
        moment = response.timestamp
        if correlation.role == "start":
            if event is None:
                self._create(key, sensor, state, value, start=moment, end=None, details=details)
            else:  # the start of an event whose end we saw first
                event.start = moment
                event.details = {**details, **{k: v for k, v in event.details.items() if k != "start_unknown"}}
                if event.end is not None:
                    event.duration_seconds = _duration(moment, event.end)
                self._touch(event)
            return
        if event is None:
            start = _start_from_details(details, moment)
            if start is None:
                details["start_unknown"] = True
            active = event_value(state.state_type)
            self._create(key, sensor, state, active if active is not None else value,
                         start=start or moment, end=moment, details=details)
            return
        event.end = max(moment, event.start)
        event.duration_seconds = _duration(event.start, event.end)
        event.details = {**event.details, **details}
        self._touch(event)
        self.closed += 1

    def transition(self, sensor: SensorLike, state: StateLike, previous: Any, value: Any,
                   moment: dt.datetime) -> None:
        """A plain change of a two-valued state: entering the active value opens, leaving it closes."""
        active = event_value(state.state_type)
        if active is None or previous == value:
            return
        if previous == active:
            event = self._open_plain.pop(state.id, None)
            if event is not None:
                event.end = max(moment, event.start)
                event.duration_seconds = _duration(event.start, event.end)
                self._touch(event)
                self.closed += 1
        if value == active and state.id not in self._open_plain:
            event = self._create(None, sensor, state, value, start=moment, end=None, details={})
            self._open_plain[state.id] = event

    def _create(self, key: tuple[int, str] | None, sensor: SensorLike, state: StateLike, value: Any, *,
                start: dt.datetime, end: dt.datetime | None, details: dict[str, Any]) -> Event:
        event = Event(entity_id=state.entity_id, entity_state_id=state.id, sensor_id=sensor.id, value=value,
                      start=start, end=end, duration_seconds=_duration(start, end) if end else None,
                      correlation_id=key[1] if key else "", details=details)
        self._new.append(event)
        self.opened += 1
        if end is not None:
            self.closed += 1
        if key is not None:
            self._correlated[key] = event
        return event

    def _touch(self, event: Event) -> None:
        if event.pk is not None:
            self._dirty[event.pk] = event

    # -- writing --------------------------------------------------------------------------------
    def flush(self) -> None:
        insert_rows(Event, self._new, _INSERT_FIELDS)
        update_rows(Event, list(self._dirty.values()), _UPDATE_FIELDS)
        self._new = []
        self._dirty = {}
