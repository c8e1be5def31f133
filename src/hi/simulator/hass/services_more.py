"""Service calls of the simulated Home Assistant for the domains beyond lights, switches and climate.

Like ``services``: each handler validates what HA would and returns the entity's new state and
attributes. The alarm panel checks its code (``demo_home.ALARM_CODE``) as a real panel with a code
format does; a momentary entity (button, scene) records the time of the press as its state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from .demo_home import ALARM_CODE

Handler = Callable[[str, str, dict[str, Any], dict[str, Any]], tuple[str, dict[str, Any]]]


class _Refused(Exception):
    """Raised as ``services.ServiceError`` by the caller's wrapper (avoids an import cycle)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _alarm(target: str) -> Handler:
    def handler(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        needs_code = attrs.get("code_format") is not None and (target == "disarmed" or attrs.get("code_arm_required"))
        if needs_code and str(data.get("code", "")) != ALARM_CODE:
            raise _Refused("service_validation_error", f"Invalid alarm code provided for {entity_id}")
        return target, {**attrs, "changed_by": None}

    return handler


def _to(value: str) -> Handler:
    return lambda entity_id, state, attrs, data: (value, dict(attrs))


def _attr(key: str, *, required: str | None = None, convert: Callable[[Any], Any] = lambda v: v,
          choices_key: str | None = None, state: Callable[[str, Any], str] | None = None) -> Handler:
    """Set attribute ``key`` from the data's ``required`` (default: the same name), checking HA's options."""
    def handler(entity_id: str, current: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        field = required or key
        if field not in data:
            raise _Refused("invalid_format", f"required key not provided @ data['{field}']")
        value = convert(data[field])
        if choices_key and value not in (attrs.get(choices_key) or []):
            raise _Refused("service_validation_error", f"{value!r} is not a valid option for {entity_id}")
        new_state = state(current, value) if state else current
        return new_state, {**attrs, key: value}

    return handler


def _bounded(key: str, low_key: str, high_key: str, field: str | None = None) -> Handler:
    def handler(entity_id: str, current: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        name = field or key
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Refused("invalid_format", f"expected float for dictionary value @ data['{name}']")
        low, high = attrs.get(low_key, 0), attrs.get(high_key, 100)
        if not low <= value <= high:
            raise _Refused("service_validation_error", f"Value {value} for {entity_id} is outside {low}-{high}")
        return current, {**attrs, key: value}

    return handler


def _siren_on(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    """siren.turn_on: tone (an id or a name of ``available_tones``), volume_level 0 to 1, duration > 0 — each
    checked as HA does, and dropped when the siren's features lack it."""
    features = int(attrs.get("supported_features") or 0)
    tones = attrs.get("available_tones")
    names = list(tones.values()) + list(tones) if isinstance(tones, dict) else list(tones or [])
    if "tone" in data and features & 4 and data["tone"] not in names:
        raise _Refused("service_validation_error", f"Invalid tone specified for entity {entity_id}: {data['tone']}")
    volume = data.get("volume_level")
    if volume is not None and (isinstance(volume, bool) or not isinstance(volume, int | float) or not 0 <= volume <= 1):
        raise _Refused("invalid_format", "value must be at most 1 for dictionary value @ data['volume_level']")
    duration = data.get("duration")
    if duration is not None and (isinstance(duration, bool) or not isinstance(duration, int) or duration < 0):
        raise _Refused("invalid_format", "expected int for dictionary value @ data['duration']")
    return "on", dict(attrs)


def _set_state_value(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    """number/input_number/counter.set_value: the state is the number, within min/max."""
    value = data.get("value")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _Refused("invalid_format", "expected float for dictionary value @ data['value']") from None
    low = attrs.get("min", attrs.get("minimum"))
    high = attrs.get("max", attrs.get("maximum"))
    if (low is not None and number < low) or (high is not None and number > high):
        raise _Refused("service_validation_error", f"Value {value} for {entity_id} is outside {low}-{high}")
    text = str(int(number)) if entity_id.startswith("counter.") or (number.is_integer() and "." not in state) else str(number)
    return text, dict(attrs)


def _select(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    option = data.get("option")
    if option not in (attrs.get("options") or []):
        raise _Refused("service_validation_error", f"Option {option} is not valid for {entity_id}")
    return str(option), dict(attrs)


def _text(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    value = data.get("value")
    if not isinstance(value, str):
        raise _Refused("invalid_format", "expected str for dictionary value @ data['value']")
    if not attrs.get("min", 0) <= len(value) <= attrs.get("max", 255):
        raise _Refused("service_validation_error", f"Value {value!r} for {entity_id} has the wrong length")
    return value, dict(attrs)


def _pressed(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    return _now(), dict(attrs)


def _value_as_state(field: str) -> Handler:
    def handler(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        if not isinstance(data.get(field), str):
            raise _Refused("invalid_format", f"required key not provided @ data['{field}']")
        return data[field], dict(attrs)

    return handler


def _input_datetime(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    for field in ("datetime", "date", "time"):
        if isinstance(data.get(field), str):
            return data[field].replace("T", " "), dict(attrs)
    raise _Refused("invalid_format", "must contain at least one of date, time, datetime, timestamp")


def _flag(key: str) -> Handler:
    def handler(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        if not isinstance(data.get(key), bool):
            raise _Refused("invalid_format", f"expected bool for dictionary value @ data['{key}']")
        value: Any = data[key]
        if key == "away_mode":
            value = "on" if value else "off"
        return state, {**attrs, key: value}

    return handler


def _volume(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    level = data.get("volume_level")
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 <= level <= 1:
        raise _Refused("invalid_format", "value must be at most 1 for dictionary value @ data['volume_level']")
    return state, {**attrs, "volume_level": level}


def _valve_position(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    position = data.get("position")
    if not int(attrs.get("supported_features", 0)) & 4:
        raise _Refused("service_validation_error", f"Entity {entity_id} does not support action valve.set_valve_position")
    if isinstance(position, bool) or not isinstance(position, int | float) or not 0 <= position <= 100:
        raise _Refused("invalid_format", "expected int for dictionary value @ data['position']")
    return ("closed" if position == 0 else "open"), {**attrs, "current_position": int(position)}


def _valve(target: str) -> Handler:
    def handler(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        new = dict(attrs)
        if "current_position" in new:
            new["current_position"] = 100 if target == "open" else 0
        return target, new

    return handler


MORE_SERVICES: dict[str, dict[str, Handler]] = {
    "alarm_control_panel": {"alarm_arm_home": _alarm("armed_home"), "alarm_arm_away": _alarm("armed_away"),
                            "alarm_arm_night": _alarm("armed_night"), "alarm_arm_vacation": _alarm("armed_vacation"),
                            "alarm_arm_custom_bypass": _alarm("armed_custom_bypass"),
                            "alarm_disarm": _alarm("disarmed"), "alarm_trigger": _alarm("triggered")},
    "water_heater": {"set_operation_mode": _attr("operation_mode", choices_key="operation_list",
                                                 state=lambda old, value: value),
                     "set_temperature": _bounded("temperature", "min_temp", "max_temp"),
                     "set_away_mode": _flag("away_mode")},
    "humidifier": {"turn_on": _to("on"), "turn_off": _to("off"),
                   "set_humidity": _bounded("humidity", "min_humidity", "max_humidity"),
                   "set_mode": _attr("mode", choices_key="available_modes")},
    "valve": {"open_valve": _valve("open"), "close_valve": _valve("closed"), "set_valve_position": _valve_position,
              "stop_valve": lambda entity_id, state, attrs, data: (state, dict(attrs))},
    "vacuum": {"start": _to("cleaning"), "pause": _to("paused"), "stop": _to("idle"),
               "return_to_base": _to("returning"), "locate": lambda entity_id, state, attrs, data: (state, dict(attrs)),
               "set_fan_speed": _attr("fan_speed", choices_key="fan_speed_list")},
    "lawn_mower": {"start_mowing": _to("mowing"), "pause": _to("paused"), "dock": _to("docked")},
    "siren": {"turn_on": _siren_on, "turn_off": _to("off")},
    "remote": {"turn_on": _to("on"), "turn_off": _to("off")},
    "number": {"set_value": _set_state_value}, "input_number": {"set_value": _set_state_value},
    "counter": {"set_value": _set_state_value},
    "select": {"select_option": _select}, "input_select": {"select_option": _select},
    "text": {"set_value": _text}, "input_text": {"set_value": _text},
    "button": {"press": _pressed}, "input_button": {"press": _pressed}, "scene": {"turn_on": _pressed},
    "script": {"turn_on": lambda entity_id, state, attrs, data: ("off", {**attrs, "last_triggered": _now()})},
    # trigger runs the actions whether or not the automation is on (HA's Run button does the same)
    "automation": {"turn_on": _to("on"), "turn_off": _to("off"),
                   "toggle": lambda entity_id, state, attrs, data: ("off" if state == "on" else "on", dict(attrs)),
                   "trigger": lambda entity_id, state, attrs, data: (state, {**attrs, "last_triggered": _now()})},
    "update": {"install": lambda entity_id, state, attrs, data: (
        "off", {**attrs, "installed_version": attrs.get("latest_version"), "in_progress": False})},
    "date": {"set_value": _value_as_state("date")}, "time": {"set_value": _value_as_state("time")},
    "datetime": {"set_value": _value_as_state("datetime")}, "input_datetime": {"set_datetime": _input_datetime},
    "timer": {"start": _to("active"), "pause": _to("paused"), "cancel": _to("idle")},
}
# Extra services of domains ``services`` already has.
EXTRA_SERVICES: dict[str, dict[str, Handler]] = {
    "fan": {"set_preset_mode": _attr("preset_mode", choices_key="preset_modes"), "oscillate": _flag("oscillating"),
            "set_direction": _attr("direction")},
    "media_player": {"media_stop": _to("idle"), "media_next_track": lambda e, s, a, d: (s, dict(a)),
                     "media_previous_track": lambda e, s, a, d: (s, dict(a)), "volume_set": _volume,
                     "volume_mute": _flag("is_volume_muted"),
                     "select_source": _attr("source", choices_key="source_list"),
                     "select_sound_mode": _attr("sound_mode", choices_key="sound_mode_list")},
    "cover": {"set_cover_tilt_position": _bounded("current_tilt_position", "_", "_", "tilt_position")},
    "climate": {"set_fan_mode": _attr("fan_mode", choices_key="fan_modes"),
                "set_preset_mode": _attr("preset_mode", choices_key="preset_modes"),
                "set_swing_mode": _attr("swing_mode", choices_key="swing_modes"),
                "set_humidity": _bounded("humidity", "min_humidity", "max_humidity")},
    "lock": {},
}
