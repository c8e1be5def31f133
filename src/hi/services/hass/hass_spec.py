"""What a Home Assistant state maps to, before it is tied to a domain: ``StateSpec`` and number clean-up.

Shared by ``hass_states`` (the core domains and the dispatch) and ``hass_domains`` (the rest), which
therefore import this module and never each other's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class StateSpec:
    """One EntityState a Home Assistant state yields; ``suffix`` '' is the entity's own state."""

    suffix: str
    name: str
    state_type: str
    value: Any
    value_range: Any = None
    units: str = ""
    controllable: bool = False
    extra: Mapping[str, Any] | None = None  # what control needs to know (an alarm panel's code format)
    details: Mapping[str, Any] | None = None  # detail attributes of each reading (a person's GPS accuracy)
    occurrence: str | None = None  # a momentary happening's id (an HA event entity's fire time): one hi Event each


def number(value: Any, digits: int = 2) -> int | float | None:
    """A JSON-friendly number (integral floats become ints, so 50 and 50.0 compare and render alike)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = round(float(value), digits)
    except (TypeError, ValueError):
        return None
    if result != result or result in (float("inf"), float("-inf")):
        return None
    return int(result) if result.is_integer() else result
