"""Circuit breaker per integration: stop hammering a system that keeps failing, probe it with one call.

closed → open after ``failure_threshold`` consecutive failures → half-open after ``reset_timeout``,
where exactly one caller gets a trial call → closed on its success, open again on its failure.
The default timeout is short (2 s): the trial is one cheap call, and a peer that is back must be
noticed within a couple of seconds; integrations that must be gentler (public APIs) pass a longer one.
Refused calls carry the last real failure's message, and only real attempts count as failures.
"""

from __future__ import annotations

import enum
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from hi.integrations.exceptions import CircuitOpenError
from hi.utils.clock import SYSTEM_CLOCK, Clock


class BreakerState(enum.StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Thread-safe; the sync and async clients of one integration share one instance.

    Usage::

        breaker.before_call()          # raises CircuitOpenError while open / a trial is running
        try: ...; breaker.record_success()
        except TransientError: breaker.record_failure()
    """

    def __init__(self, integration_id: str = "", *, failure_threshold: int = 5, reset_timeout: float = 2.0,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.integration_id = integration_id
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self.trips = 0
        self.last_error = ""  # the last real failure's message: a refused call says why the circuit is open

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._current_state()

    def _current_state(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._opened_at is not None \
                and self.clock.monotonic() >= self._opened_at + self.reset_timeout:
            self._state = BreakerState.HALF_OPEN
            self._trial_running = False
        return self._state

    @property
    def next_trial_at(self) -> float | None:
        with self._lock:
            if self._state is BreakerState.CLOSED or self._opened_at is None:
                return None
            return self._opened_at + self.reset_timeout

    def before_call(self) -> bool:
        """Allow a call or raise CircuitOpenError; returns True when this call is the half-open trial."""
        with self._lock:
            state = self._current_state()
            if state is BreakerState.CLOSED:
                return False
            if state is BreakerState.HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return True
            retry_at = (self._opened_at or 0.0) + self.reset_timeout
            cause = self.last_error
        message = f"{cause} (not retrying until the circuit closes)" if cause else None
        raise CircuitOpenError(message, integration_id=self.integration_id, retry_at=retry_at)

    def record_success(self) -> None:
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._opened_at = None
            self._trial_running = False

    def record_failure(self, cause: str = "") -> None:
        """One real attempt (series) failed; ``cause`` is kept for the message of refused calls."""
        with self._lock:
            if cause:
                self.last_error = cause
            state = self._current_state()
            self._failures += 1
            if state is BreakerState.HALF_OPEN or self._failures >= self.failure_threshold:
                if state is not BreakerState.OPEN:
                    self.trips += 1
                self._state = BreakerState.OPEN
                self._opened_at = self.clock.monotonic()
                self._trial_running = False

    def release_trial(self) -> None:
        """End a trial that neither succeeded nor failed (e.g. cancelled) so another caller may try."""
        with self._lock:
            self._trial_running = False

    def reset(self) -> None:
        self.record_success()

    def snapshot(self) -> dict[str, Any]:
        """Health view: state, consecutive failures, opened-at and next trial (monotonic seconds)."""
        with self._lock:
            state = self._current_state()
            opened = self._opened_at
            now = self.clock.monotonic()
            wall_now = datetime.now(UTC)
            return {
                "state": state.value,
                "consecutive_failures": self._failures,
                "opened_at": opened,
                "next_trial_at": None if opened is None else opened + self.reset_timeout,
                "next_trial_in": None if opened is None else max(0.0, opened + self.reset_timeout - now),
                "opened_at_utc": None if opened is None else _wall(opened, now, wall_now),
                "next_trial_at_utc": None if opened is None else _wall(opened + self.reset_timeout, now, wall_now),
                "trips": self.trips,
            }


def _wall(moment: float, now: float, wall_now: datetime) -> str:
    """A clock reading as an ISO-8601 UTC time, for health pages (the breaker itself uses the clock)."""
    return (wall_now + timedelta(seconds=moment - now)).isoformat(timespec="seconds")


_registry: dict[str, CircuitBreaker] = {}
_registry_lock = threading.Lock()


def get_breaker(integration_id: str, **options: Any) -> CircuitBreaker:
    """The breaker of an integration, created on first use with ``options`` (later options are ignored)."""
    with _registry_lock:
        breaker = _registry.get(integration_id)
        if breaker is None:
            breaker = _registry[integration_id] = CircuitBreaker(integration_id, **options)
        return breaker


def reset_breakers() -> None:
    """Forget every breaker (tests, or a configuration change)."""
    with _registry_lock:
        _registry.clear()
