"""Reading a value as a number, one way for the whole hub: control confirmation, alarm conditions, rollups."""

from __future__ import annotations

import json
import math
from typing import Any


def finite_number(value: Any) -> float | None:
    """``value`` as a finite float (numbers and numeric text), else None.

    Booleans are not numbers (an on/off state is not 1/0), and NaN or infinity from a peer is no reading."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


class NonFiniteNumber(ValueError):
    """JSON carried NaN, Infinity or a number too large for a float; refused where the JSON is read."""


def _refuse_constant(name: str) -> Any:
    raise NonFiniteNumber(f"{name} is not accepted: numbers must be finite")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise NonFiniteNumber(f"{text[:40]} is out of range: numbers must be finite")
    return number


def loads_finite(data: str | bytes) -> Any:
    """``json.loads`` that refuses NaN, Infinity and overflowing numbers (Python's json accepts all three)."""
    return json.loads(data, parse_constant=_refuse_constant, parse_float=_finite_float)
