"""Rule JSON: validation (typed against each state's type and value range) and condition tests.

One parser serves the API, the CLI and the web forms, so a rule that is saved is always one the
engine can evaluate; anything wrong raises ``RuleError`` naming the field, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hi.apps.control.dispatch import ControlValueError, validate_control_value
from hi.apps.control.models import Controller
from hi.apps.entity.enums import binary_values, default_value_range, is_numeric
from hi.apps.entity.models import EntityState
from hi.utils.numbers import finite_number

from .enums import Level, Match, SecurityMode
from .incidents import ALERT_OP, SEVERITIES, is_alerts_state, key_for, matching

OPS = ("eq", "ne", "above", "below", "alert")
ACTION_TYPES = ("alert", "control", "notify")
MAX_CONDITIONS = 20
MAX_HELD_FOR = 7 * 24 * 3600
MAX_WINDOW = 24 * 3600


class RuleError(ValueError):
    """A rule that cannot be saved; ``field`` names the bad part (e.g. ``conditions[1].value``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass
class RuleSpec:
    """A validated rule, ready to be written onto a ``Rule`` row."""

    name: str
    conditions: list[dict[str, Any]]
    modes: list[str]
    level: str = Level.WARNING
    actions: list[dict[str, Any]] = field(default_factory=lambda: [{"type": "alert"}])
    match: str = Match.ALL
    window_seconds: int | None = None
    time_from: dt.time | None = None
    time_to: dt.time | None = None
    days: list[int] = field(default_factory=list)
    quiet_seconds: int = 0
    expire_minutes: int | None = None
    enabled: bool = True
    life_safety: bool = False

    @property
    def state_ids(self) -> list[int]:
        return sorted({c["state"] for c in self.conditions if "state" in c})

    def apply_to(self, rule: Any) -> None:
        for name in ("name", "conditions", "modes", "level", "actions", "match", "window_seconds", "time_from",
                     "time_to", "days", "quiet_seconds", "expire_minutes", "enabled", "life_safety"):
            setattr(rule, name, getattr(self, name))
        rule.state_ids = self.state_ids


def _int(value: Any, field_name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        else:
            raise RuleError(field_name, f"must be a whole number, not {value!r}")
    if not low <= value <= high:
        raise RuleError(field_name, f"must be between {low} and {high}")
    return value


def _time(value: Any, field_name: str) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise RuleError(field_name, f"must be a time of day like 22:30, not {value!r}") from None


def _state(value: Any, field_name: str) -> EntityState:
    state_id = _int(value, field_name, 1, 2**62)
    state = EntityState.objects.filter(pk=state_id).first()
    if state is None:
        raise RuleError(field_name, f"no state with id {state_id}")
    return state


def _typed_value(state: EntityState, op: str, value: Any, field_name: str) -> Any:
    """The condition's value in the state's own terms ("open" for a door, a number for a dimmer)."""
    value_range = state.value_range if state.value_range not in (None, "", [], {}) else \
        default_value_range(state.state_type)
    numeric = is_numeric(state.state_type) or (isinstance(value_range, Mapping)
                                               and bool({"min", "max"} & set(value_range)))
    if op in ("above", "below"):
        if not numeric:
            raise RuleError(f"{field_name[:-len('.value')]}.op",
                            f"{state.name or state.state_key} is not a number; use eq or ne")
        if isinstance(value, bool) or not isinstance(value, int | float):
            try:
                value = float(str(value))
            except ValueError:
                raise RuleError(field_name, f"must be a number, not {value!r}") from None
    try:
        return validate_control_value(state, value)
    except ControlValueError as exc:
        raise RuleError(field_name, str(exc)) from None


def _integration_condition(data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """``{"integration": "hass", "op": "eq", "value": "error", "held_for": 300}``: an integration's health."""
    from hi.integrations.enums import HealthStatus
    from hi.integrations.models import Integration

    unknown = set(data) - {"integration", "op", "value", "held_for"}
    if unknown:
        raise RuleError(f"{prefix}.{sorted(unknown)[0]}", "is not a condition field")
    integration_id = data.get("integration")
    if not isinstance(integration_id, str) or not Integration.objects.filter(integration_id=integration_id).exists():
        raise RuleError(f"{prefix}.integration", f"no integration {integration_id!r}")
    op = data.get("op", "eq")
    if op not in ("eq", "ne"):
        raise RuleError(f"{prefix}.op", "an integration's health takes eq or ne")
    if data.get("value") not in HealthStatus.values:
        raise RuleError(f"{prefix}.value", f"must be one of {', '.join(HealthStatus.values)}")
    condition: dict[str, Any] = {"integration": integration_id, "op": op, "value": data["value"]}
    held = data.get("held_for")
    if held not in (None, 0, ""):
        condition["held_for"] = _int(held, f"{prefix}.held_for", 1, MAX_HELD_FOR)
    return condition


def parse_condition(data: Any, index: int) -> dict[str, Any]:
    prefix = f"conditions[{index}]"
    if not isinstance(data, Mapping):
        raise RuleError(prefix, "must be an object with state, op and value")
    if "integration" in data:
        return _integration_condition(data, prefix)
    unknown = set(data) - {"state", "op", "value", "held_for"}
    if unknown:
        raise RuleError(f"{prefix}.{sorted(unknown)[0]}", "is not a condition field")
    state = _state(data.get("state"), f"{prefix}.state")
    op = data.get("op", "eq")
    if op not in OPS:
        raise RuleError(f"{prefix}.op", f"must be one of {', '.join(OPS)}, not {op!r}")
    if "value" not in data:
        raise RuleError(f"{prefix}.value", "is required")
    if op == ALERT_OP or is_alerts_state(state):
        return _alert_condition(state, op, data, prefix)
    value = _typed_value(state, op, data["value"], f"{prefix}.value")
    condition: dict[str, Any] = {"state": state.pk, "op": op, "value": value}
    held = data.get("held_for")
    if held not in (None, 0, ""):
        condition["held_for"] = _int(held, f"{prefix}.held_for", 1, MAX_HELD_FOR)
    return condition


def _alert_condition(state: EntityState, op: str, data: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """``{"state": S, "op": "alert", "value": "extreme"}``: an open alert of that severity on an alerts state."""
    if not is_alerts_state(state):
        raise RuleError(f"{prefix}.op", f"{state.name or state.state_key} has no alerts; use eq, ne, above or below")
    if op != ALERT_OP:
        raise RuleError(f"{prefix}.op", f"{state.name or state.state_key} is read by its open alerts: use op alert")
    value = str(data["value"]).strip().lower()
    if value not in SEVERITIES:
        raise RuleError(f"{prefix}.value", f"must be a severity: {', '.join(SEVERITIES)}")
    if data.get("held_for") not in (None, 0, ""):
        raise RuleError(f"{prefix}.held_for", "an alert condition holds while the alert is open; no held_for")
    return {"state": state.pk, "op": ALERT_OP, "value": value}


def parse_action(data: Any, index: int) -> dict[str, Any]:
    prefix = f"actions[{index}]"
    if isinstance(data, str):
        data = {"type": data}
    if not isinstance(data, Mapping) or data.get("type") not in ACTION_TYPES:
        raise RuleError(f"{prefix}.type", f"must be one of {', '.join(ACTION_TYPES)}")
    kind = data["type"]
    if kind == "alert":
        return {"type": "alert"}
    if kind == "notify":
        channels = data.get("channels", [])
        if not isinstance(channels, list) or not all(isinstance(c, str) and c for c in channels):
            raise RuleError(f"{prefix}.channels", "must be a list of channel names (empty: every channel)")
        return {"type": "notify", "channels": list(channels)}
    controller_id = _int(data.get("controller"), f"{prefix}.controller", 1, 2**62)
    controller = Controller.objects.select_related("entity_state").filter(pk=controller_id).first()
    if controller is None:
        raise RuleError(f"{prefix}.controller", f"no controller with id {controller_id}")
    if "value" not in data:
        raise RuleError(f"{prefix}.value", "is required")
    try:
        value = validate_control_value(controller.entity_state, data["value"])
    except ControlValueError as exc:
        raise RuleError(f"{prefix}.value", str(exc)) from None
    return {"type": "control", "controller": controller.pk, "value": value}


def parse_rule(data: Any) -> RuleSpec:
    """Validate rule JSON (the API's and CLI's shape); raise ``RuleError`` on the first bad field."""
    if not isinstance(data, Mapping):
        raise RuleError("rule", "must be a JSON object")
    known = {"name", "conditions", "modes", "level", "actions", "match", "window_seconds", "time_from", "time_to",
             "days", "quiet_seconds", "expire_minutes", "enabled", "life_safety"}
    unknown = set(data) - known - {"id", "is_default", "state_ids", "created_at", "updated_at"}
    if unknown:
        raise RuleError(sorted(unknown)[0], "is not a rule field")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RuleError("name", "is required")
    if len(name) > 200:
        raise RuleError("name", "must be at most 200 characters")
    raw_conditions = data.get("conditions")
    if not isinstance(raw_conditions, list) or not raw_conditions:
        raise RuleError("conditions", "must be a non-empty list")
    if len(raw_conditions) > MAX_CONDITIONS:
        raise RuleError("conditions", f"at most {MAX_CONDITIONS} conditions")
    conditions = [parse_condition(c, i) for i, c in enumerate(raw_conditions)]
    level = data.get("level", Level.WARNING)
    if level not in Level.values:
        raise RuleError("level", f"must be one of {', '.join(Level.values)}, not {level!r}")
    modes = data.get("modes", [SecurityMode.DAY, SecurityMode.NIGHT, SecurityMode.AWAY])
    if not isinstance(modes, list) or not all(m in SecurityMode.values for m in modes):
        raise RuleError("modes", f"must be a list of {', '.join(SecurityMode.values)}")
    match = data.get("match", Match.ALL)
    if match not in Match.values:
        raise RuleError("match", "must be all or any")
    window = data.get("window_seconds")
    window = None if window in (None, "", 0) else _int(window, "window_seconds", 1, MAX_WINDOW)
    if window is not None and (match != Match.ALL or len(conditions) < 2):
        raise RuleError("window_seconds", "needs match all and at least two conditions")
    raw_actions = data.get("actions", [{"type": "alert"}])
    if not isinstance(raw_actions, list) or not raw_actions:
        raise RuleError("actions", "must be a non-empty list")
    actions = [parse_action(a, i) for i, a in enumerate(raw_actions)]
    time_from, time_to = _time(data.get("time_from"), "time_from"), _time(data.get("time_to"), "time_to")
    if (time_from is None) != (time_to is None):
        raise RuleError("time_to" if time_to is None else "time_from", "give both time_from and time_to, or neither")
    days = data.get("days") or []
    if not isinstance(days, list):
        raise RuleError("days", "must be a list of weekday numbers (0 = Monday … 6 = Sunday)")
    days = sorted({_int(d, "days", 0, 6) for d in days})
    quiet = _int(data.get("quiet_seconds", 0) or 0, "quiet_seconds", 0, MAX_WINDOW)
    expire = data.get("expire_minutes")
    expire = None if expire in (None, "", 0) else _int(expire, "expire_minutes", 1, 60 * 24 * 365)
    for flag in ("enabled", "life_safety"):
        if flag in data and not isinstance(data[flag], bool):
            raise RuleError(flag, "must be true or false")
    return RuleSpec(name=name.strip(), conditions=conditions, modes=list(dict.fromkeys(modes)), level=level,
                    actions=actions, match=match, window_seconds=window, time_from=time_from, time_to=time_to,
                    days=days, quiet_seconds=quiet, expire_minutes=expire, enabled=data.get("enabled", True),
                    life_safety=data.get("life_safety", False))


# -- evaluation ---------------------------------------------------------------------------------
def condition_key(condition: Mapping[str, Any]) -> int | str:
    """What a condition reads: a state id, or ``integration:<id>`` for an integration's health."""
    if "state" not in condition:
        return f"integration:{condition['integration']}"
    return key_for(condition["state"]) if condition["op"] == ALERT_OP else condition["state"]


def condition_holds(condition: Mapping[str, Any], value: Any) -> bool:
    """Whether a state's current ``value`` satisfies one condition (unknown values never do)."""
    op, target = condition["op"], condition["value"]
    if op == ALERT_OP:
        return bool(matching(condition, value))
    if op in ("eq", "ne"):
        if isinstance(value, str) and isinstance(target, str):
            same = value.strip().lower() == target.strip().lower()
        else:
            a, b = finite_number(value), finite_number(target)
            same = a == b if a is not None and b is not None else value == target
        if value is None:
            return False
        return same if op == "eq" else not same
    number, limit = finite_number(value), finite_number(target)
    if number is None or limit is None:
        return False
    return number > limit if op == "above" else number < limit


def has_time_window(time_from: dt.time | None, time_to: dt.time | None, days: list[int]) -> bool:
    """Whether a rule is limited to days or a time of day at all (both times are needed for a time window)."""
    return bool(days) or (time_from is not None and time_to is not None)


def in_time_window(time_from: dt.time | None, time_to: dt.time | None, days: list[int],
                   local: dt.datetime) -> bool:
    """Time of day (wrapping midnight: 22:00-06:00) and weekday, in the household's time zone."""
    if not has_time_window(time_from, time_to, days):
        return True
    if days and local.weekday() not in days:
        return False
    if time_from is None or time_to is None:
        return True
    now = local.time().replace(tzinfo=None)
    if time_from <= time_to:
        return time_from <= now < time_to
    return now >= time_from or now < time_to


def is_binary(state_type: str) -> bool:
    return binary_values(state_type) is not None
