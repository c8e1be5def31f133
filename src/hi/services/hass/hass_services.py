"""Control of the domains in ``hass_domains`` (and the extra states of fans, media players, covers, climate).

Each entry turns a validated value for one state into the Home Assistant service call that sets it,
with the value our state will show once HA has carried it out. Momentary controls (a button press,
a scene) have no resulting state to wait for: HA's acknowledgement of the call confirms them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ServiceCall:
    """One call to make and the value our state will show once Home Assistant carried it out."""

    domain: str
    service: str
    data: dict[str, Any] = field(default_factory=dict)
    expected: Any = None
    momentary: bool = False  # confirmed by HA's acknowledgement, not by a state
    kept: bool = False  # a setting hi keeps for a later call (a siren's tone): nothing is sent now


def _press(domain: str, service: str) -> ServiceCall:
    return ServiceCall(domain, service, momentary=True)


def _on_off(domain: str, value: Any) -> ServiceCall:
    return ServiceCall(domain, "turn_on" if value == "on" else "turn_off", expected=value)


def _by_value(domain: str, services: dict[str, str], expected: dict[str, str] | None = None
              ) -> Callable[[Any], ServiceCall | None]:
    def plan(value: Any) -> ServiceCall | None:
        service = services.get(str(value))
        return ServiceCall(domain, service, expected=(expected or {}).get(str(value), value)) if service else None

    return plan


def _set(domain: str, service: str, key: str, convert: Callable[[Any], Any] = lambda v: v,
         expected: Callable[[Any], Any] = lambda v: v) -> Callable[[Any], ServiceCall]:
    return lambda value: ServiceCall(domain, service, {key: convert(value)}, expected(value))


def _flag(domain: str, service: str, key: str) -> Callable[[Any], ServiceCall]:
    return lambda value: ServiceCall(domain, service, {key: value == "on"}, value)


_ALARM = {"armed_home": "alarm_arm_home", "armed_away": "alarm_arm_away", "armed_night": "alarm_arm_night",
          "armed_vacation": "alarm_arm_vacation", "armed_custom_bypass": "alarm_arm_custom_bypass",
          "disarmed": "alarm_disarm", "triggered": "alarm_trigger"}
CODE_DOMAINS = frozenset({"alarm_control_panel", "lock"})

# (domain, state suffix) → how a value becomes a call; None from a planner means "no such value".
PLANNERS: dict[tuple[str, str], Callable[[Any], ServiceCall | None]] = {
    ("alarm_control_panel", ""): _by_value("alarm_control_panel", _ALARM),
    ("lock", ""): _by_value("lock", {"locked": "lock", "unlocked": "unlock", "open": "open"}),
    ("fan", "percentage"): _set("fan", "set_percentage", "percentage", int, int),
    ("fan", "preset_mode"): _set("fan", "set_preset_mode", "preset_mode"),
    ("fan", "oscillating"): _flag("fan", "oscillate", "oscillating"),
    ("fan", "direction"): _set("fan", "set_direction", "direction"),
    ("media_player", "playback"): _by_value("media_player", {"playing": "media_play", "paused": "media_pause",
                                                             "idle": "media_stop"}),
    ("media_player", "next"): lambda value: _press("media_player", "media_next_track"),
    ("media_player", "previous"): lambda value: _press("media_player", "media_previous_track"),
    ("media_player", "volume"): _set("media_player", "volume_set", "volume_level", lambda v: round(v / 100, 4)),
    ("media_player", "muted"): _flag("media_player", "volume_mute", "is_volume_muted"),
    ("media_player", "source"): _set("media_player", "select_source", "source"),
    ("media_player", "sound_mode"): _set("media_player", "select_sound_mode", "sound_mode"),
    ("cover", "tilt"): _set("cover", "set_cover_tilt_position", "tilt_position", int, int),
    ("climate", "fan_mode"): _set("climate", "set_fan_mode", "fan_mode"),
    ("climate", "preset_mode"): _set("climate", "set_preset_mode", "preset_mode"),
    ("climate", "swing_mode"): _set("climate", "set_swing_mode", "swing_mode"),
    ("climate", "humidity"): _set("climate", "set_humidity", "humidity", int, int),
    ("water_heater", ""): _set("water_heater", "set_operation_mode", "operation_mode"),
    ("water_heater", "temperature"): _set("water_heater", "set_temperature", "temperature"),
    ("water_heater", "away_mode"): _flag("water_heater", "set_away_mode", "away_mode"),
    ("humidifier", ""): lambda value: _on_off("humidifier", value),
    ("humidifier", "humidity"): _set("humidifier", "set_humidity", "humidity", int, int),
    ("humidifier", "mode"): _set("humidifier", "set_mode", "mode"),
    ("valve", ""): _by_value("valve", {"open": "open_valve", "opening": "open_valve", "closed": "close_valve",
                                       "closing": "close_valve"}, {"opening": "open", "closing": "closed"}),
    ("valve", "position"): _set("valve", "set_valve_position", "position", int, int),
    ("valve", "stop"): lambda value: _press("valve", "stop_valve"),
    ("vacuum", ""): _by_value("vacuum", {"cleaning": "start", "paused": "pause", "idle": "stop",
                                         "returning": "return_to_base", "docked": "return_to_base"},
                              {"docked": "returning"}),
    ("vacuum", "fan_speed"): _set("vacuum", "set_fan_speed", "fan_speed"),
    ("vacuum", "locate"): lambda value: _press("vacuum", "locate"),
    ("lawn_mower", ""): _by_value("lawn_mower", {"mowing": "start_mowing", "paused": "pause", "docked": "dock",
                                                 "returning": "dock"}, {"returning": "docked"}),
    ("siren", ""): lambda value: _on_off("siren", value),  # turning on adds the kept settings (hass_controller)
    ("siren", "tone"): lambda value: ServiceCall("siren", "turn_on", {"tone": str(value)}, value, kept=True),
    ("siren", "volume"): lambda value: ServiceCall("siren", "turn_on", {"volume_level": round(float(value) / 100, 4)},
                                                   value, kept=True),
    ("siren", "duration"): lambda value: ServiceCall("siren", "turn_on", {"duration": int(value)}, int(value),
                                                     kept=True),
    ("remote", ""): lambda value: _on_off("remote", value),
    ("automation", ""): lambda value: _on_off("automation", value),
    ("automation", "trigger"): lambda value: _press("automation", "trigger"),
    ("number", ""): _set("number", "set_value", "value"),
    ("input_number", ""): _set("input_number", "set_value", "value"),
    ("counter", ""): _set("counter", "set_value", "value", int, int),
    ("select", ""): _set("select", "select_option", "option"),
    ("input_select", ""): _set("input_select", "select_option", "option"),
    ("text", ""): _set("text", "set_value", "value"),
    ("input_text", ""): _set("input_text", "set_value", "value"),
    ("button", ""): lambda value: _press("button", "press"),
    ("input_button", ""): lambda value: _press("input_button", "press"),
    ("scene", ""): lambda value: _press("scene", "turn_on"),
    ("script", ""): lambda value: _press("script", "turn_on"),
    ("update", "install"): lambda value: _press("update", "install"),
    ("date", ""): _set("date", "set_value", "date"),
    ("time", ""): _set("time", "set_value", "time"),
    ("datetime", ""): _set("datetime", "set_value", "datetime"),
    ("input_datetime", ""): lambda value: ServiceCall(
        "input_datetime", "set_datetime",
        {("datetime" if " " in str(value) or "T" in str(value) else "time" if ":" in str(value) else "date"):
         str(value)}, value),
    ("timer", ""): _by_value("timer", {"active": "start", "paused": "pause", "idle": "cancel"}),
}


def plan_domain_call(domain: str, suffix: str, value: Any, code: str | None = None) -> ServiceCall | None:
    """The call for ``value`` on ``domain``'s state ``suffix``; None when there is none."""
    planner = PLANNERS.get((domain, suffix))
    call = planner(value) if planner is not None else None
    if call is not None and code and domain in CODE_DOMAINS:
        call = ServiceCall(call.domain, call.service, {**call.data, "code": code}, call.expected, call.momentary,
                           call.kept)
    return call
