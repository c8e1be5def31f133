"""Reading request and command-line parameters, range-checked, one way for API, web views and CLI.

Python's ints and datetimes are wider than the database's: an id of 10^23 overflows SQLite's and
PostgreSQL's 64-bit integers, and ``9999-12-31T23:59:59-23:59`` is a valid ISO 8601 time whose UTC value
falls in year 10000, which ``datetime`` cannot hold. Unchecked, both became 500s (and "unexpected
error" on the CLI). Each parser here either returns a value every database accepts or raises
:class:`ParameterError` naming the field, which the API and CLI turn into a 400 / one clear line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

MAX_DB_INT = 2**63 - 1  # BigAutoField / BIGINT on SQLite and PostgreSQL
# Times are kept where every conversion (to UTC, to any zone, ± a day of padding) stays inside datetime's range.
EARLIEST = dt.datetime(1, 1, 3, tzinfo=dt.UTC)
LATEST = dt.datetime(9999, 12, 29, tzinfo=dt.UTC)


class ParameterError(ValueError):
    """A parameter outside what the hub accepts; ``field`` names it, the message says what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


def parse_int(value: Any, field: str, *, minimum: int = 0, maximum: int = MAX_DB_INT,
              default: int | None = None) -> int:
    """An integer in ``[minimum, maximum]``; empty/None gives ``default`` when there is one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if default is not None:
            return default
        raise ParameterError(field, "is required")
    if isinstance(value, bool):
        raise ParameterError(field, f"expected a whole number, got {value!r}")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if len(text) > 40 or not text.lstrip("+-").isdigit():
            raise ParameterError(field, f"expected a whole number, got {text[:40]!r}")
        number = int(text)
    if not minimum <= number <= maximum:
        raise ParameterError(field, f"must be between {minimum} and {maximum}, got {number}")
    return number


def parse_id(value: Any, field: str) -> int:
    """A database id: a whole number from 1 to the 64-bit maximum."""
    return parse_int(value, field, minimum=1)


def is_id(text: str) -> bool:
    """Whether ``text`` is digits naming a possible database id (not one beyond 64 bits)."""
    return text.isdigit() and 0 < int(text[:20]) <= MAX_DB_INT and len(text) <= 19


def check_datetime(value: dt.datetime, field: str) -> dt.datetime:
    """``value`` (aware) if every later conversion of it stays in range, else :class:`ParameterError`."""
    try:
        in_utc = value.astimezone(dt.UTC)
    except (OverflowError, ValueError) as exc:
        raise ParameterError(field, f"{value.isoformat()} is out of range") from exc
    if not EARLIEST <= in_utc <= LATEST:
        raise ParameterError(field, f"{value.isoformat()} is out of range (years 0001 to 9999)")
    return value


def parse_datetime(text: str, field: str, default_zone: dt.tzinfo | None = None) -> dt.datetime:
    """An ISO 8601 date or date-time, aware (naive ones in ``default_zone``, else the current zone), in range."""
    from django.utils import timezone
    from django.utils.dateparse import parse_date
    from django.utils.dateparse import parse_datetime as django_parse

    value = (text or "").strip()
    try:
        parsed = django_parse(value)
        if parsed is None and (day := parse_date(value)) is not None:
            parsed = dt.datetime.combine(day, dt.time())
    except (ValueError, OverflowError) as exc:
        raise ParameterError(field, f"{value[:40]!r} is not a valid date or time ({exc})") from exc
    if parsed is None:
        raise ParameterError(field, f"{value[:40]!r} is not an ISO 8601 date or time (e.g. 2026-05-01T12:00:00Z)")
    if timezone.is_naive(parsed):
        try:
            parsed = timezone.make_aware(parsed, default_zone)
        except (OverflowError, ValueError) as exc:
            raise ParameterError(field, f"{value[:40]!r} is out of range") from exc
    return check_datetime(parsed, field)
