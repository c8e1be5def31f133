"""Reading a value as a number, one way for the whole hub: control confirmation, alarm conditions, rollups."""

from __future__ import annotations

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
