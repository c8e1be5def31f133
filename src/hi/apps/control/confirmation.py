"""Control confirmation: a request the external system accepted stays ``sent`` until a sensor response
carries the expected value, or the worker's sweep marks it ``unconfirmed`` after a timeout.

The sense pipeline calls ``confirm_pending_controls`` in each batch's transaction; the worker calls
``sweep_control_confirmations`` periodically; dispatch uses ``values_match`` for a value that already
arrived before its request was recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from hi.utils.numbers import finite_number

from .models import ControllerHistory, ControlOutcome

DEFAULT_CONFIRMATION_TIMEOUT = 30.0
_NUMERIC_TOLERANCE = 0.5  # external systems round (Home Assistant brightness is 0-255)
_AWAITING = (ControlOutcome.PENDING, ControlOutcome.SENT)


def to_number(value: Any) -> float | int | None:
    """``value`` as a finite int or float (numbers and numeric text), else None; booleans are not numbers."""
    number = finite_number(value)
    if number is None:
        return None
    return int(number) if number.is_integer() else number


def values_match(actual: Any, expected: Any) -> bool:
    """Whether a reported value confirms an expected one (case-insensitive text, rounded numbers)."""
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.strip().lower() == expected.strip().lower()
    a, b = to_number(actual), to_number(expected)
    if a is not None and b is not None and not isinstance(actual, str) and not isinstance(expected, str):
        return abs(a - b) <= _NUMERIC_TOLERANCE
    return actual == expected


def confirm_pending_controls(applied: Mapping[int, Sequence[Any]], now: dt.datetime | None = None) -> int:
    """Confirm awaiting requests whose state just took the expected value; returns how many."""
    if not applied:
        return 0
    now = now or timezone.now()
    awaiting = (ControllerHistory.objects.filter(outcome__in=_AWAITING,
                                                 controller__entity_state_id__in=list(applied))
                .select_related("controller").only("id", "outcome", "expected_value", "requested_value",
                                                    "confirmed_at", "controller__entity_state_id"))
    confirmed: list[ControllerHistory] = []
    for record in awaiting:
        expected = record.expected_value if record.expected_value is not None else record.requested_value
        if any(values_match(value, expected) for value in applied[record.controller.entity_state_id]):
            record.outcome = ControlOutcome.CONFIRMED
            record.confirmed_at = now
            confirmed.append(record)
    if confirmed:
        ControllerHistory.objects.bulk_update(confirmed, ["outcome", "confirmed_at"])
    return len(confirmed)


def expire_unconfirmed(timeout_seconds: float = DEFAULT_CONFIRMATION_TIMEOUT,
                       now: dt.datetime | None = None) -> int:
    """Mark ``sent`` requests older than the timeout ``unconfirmed``; the worker calls this periodically."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=timeout_seconds)
    # a request still pending long after its timeout was interrupted (the process stopped mid-request)
    ControllerHistory.objects.filter(outcome=ControlOutcome.PENDING,
                                     requested_at__lt=now - dt.timedelta(seconds=timeout_seconds * 4)).update(
        outcome=ControlOutcome.FAILED, message="interrupted before the outcome was known")
    return ControllerHistory.objects.filter(outcome=ControlOutcome.SENT, requested_at__lt=cutoff).update(
        outcome=ControlOutcome.UNCONFIRMED,
        message=f"no sensor response confirmed the value within {timeout_seconds:g} s")


def sweep_control_confirmations() -> int:
    """The worker's periodic sweep: sent requests never confirmed become 'unconfirmed'."""
    return expire_unconfirmed()
