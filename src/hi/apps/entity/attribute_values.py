"""Typed attribute values: a Date must be a date, a Number a number — refused in words, never stored as typed.

One rule for every way a person adds an attribute (the entity page today; any API or CLI path uses it too).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.utils.dateparse import parse_date, parse_datetime

from .enums import AttributeValueType

_TRUE = {"yes", "true", "1", "on", "y"}
_FALSE = {"no", "false", "0", "off", "n"}


def clean_attribute_value(value_type: str, raw: str) -> str:
    """The value in its canonical text form; raises ValueError with a sentence saying what is expected."""
    text = (raw or "").strip()
    if value_type == AttributeValueType.NUMBER:
        try:
            number = Decimal(text.replace(",", "")) if text else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(f"“{text}” is not a number (for example 12 or 3.5)")
        return text
    if value_type == AttributeValueType.DATE:
        try:
            day = parse_date(text)
        except ValueError:
            day = None
        if day is None:
            raise ValueError(f"“{text}” is not a date: use YYYY-MM-DD, for example 2026-04-15")
        return day.isoformat()
    if value_type == AttributeValueType.DATETIME:
        try:
            moment = parse_datetime(text.replace(" ", "T", 1)) if text else None
        except ValueError:
            moment = None
        if moment is None:
            raise ValueError(f"“{text}” is not a date and time: use YYYY-MM-DD HH:MM, for example 2026-04-15 18:30")
        return moment.isoformat(sep=" ", timespec="minutes") if isinstance(moment, dt.datetime) else text
    if value_type == AttributeValueType.BOOLEAN:
        lowered = text.lower()
        if lowered in _TRUE:
            return "yes"
        if lowered in _FALSE:
            return "no"
        raise ValueError(f"“{text}” is not yes or no")
    if value_type == AttributeValueType.URL:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"“{text}” is not a link: it starts with http:// or https://")
        return text
    return text
