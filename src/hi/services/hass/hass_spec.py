"""What a Home Assistant state maps to, before it is tied to a domain: ``StateSpec`` and number clean-up.

Shared by ``hass_states`` (the core domains and the dispatch) and ``hass_domains`` (the rest), which
therefore import this module and never each other's.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)
# A thermostat's step when Home Assistant reports none we can use: half a degree Celsius (and kelvin),
# a whole degree Fahrenheit (HA's own frontend defaults alike).
FAHRENHEIT_STEP, OTHER_STEP = 1, 0.5  # 1, not 1.0: stored and drawn as "1"
# No thermostat steps by more than this; a larger "step" is a broken integration, not a coarse device.
MAX_TEMPERATURE_STEP = 5.0
_REPORTED_LIMIT = 10_000
_reported_steps: set[tuple[str, str]] = set()  # (entity_id, attribute) already logged: once per process


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


def is_fahrenheit(unit: str) -> bool:
    return unit.strip().upper() in ("°F", "F", "FAHRENHEIT")


def default_temperature_step(unit: str) -> float:
    """The step for a temperature in ``unit`` when the device reports none: 1 °F, else 0.5 (°C, K)."""
    return FAHRENHEIT_STEP if is_fahrenheit(unit) else OTHER_STEP


def reported_step(entity_id: str, key: str, value: Any, upper: float | None, *, missing_is_normal: bool) -> float | None:
    """``value`` (an HA step attribute) when it is a usable step — a positive finite number no larger than
    ``upper`` — else None, logged once per entity and attribute (this runs on every state change, so
    a device that always reports nonsense must not flood the log)."""
    step = number(value, 6)
    if step is not None and step > 0 and (upper is None or step <= upper):
        return step
    if value is None and missing_is_normal:
        return None
    if (entity_id, key) not in _reported_steps and len(_reported_steps) < _REPORTED_LIMIT:
        _reported_steps.add((entity_id, key))
        if value is None:
            logger.info("hass: %s reports no %s; using the default step", entity_id, key)
        else:
            logger.warning("hass: %s reports %s=%s, which is not a usable step; using the default step",
                           entity_id, key, repr(value)[:40])
    return None


def temperature_step(entity_id: str, attributes: Mapping[str, Any], unit: str, span: float | None,
                     *, missing_is_normal: bool = False) -> float:
    """A thermostat's (or water heater's) step: HA's ``target_temp_step`` when usable, else the unit's default.

    Usable means positive, at most ``MAX_TEMPERATURE_STEP`` and no wider than the settable range ``span``.
    """
    upper = MAX_TEMPERATURE_STEP if span is None or span <= 0 else min(MAX_TEMPERATURE_STEP, span)
    step = reported_step(entity_id, "target_temp_step", attributes.get("target_temp_step"), upper,
                         missing_is_normal=missing_is_normal)
    return step if step is not None else default_temperature_step(unit)
