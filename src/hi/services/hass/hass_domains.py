"""The Home Assistant domains beyond lights, switches and sensors: what each state and attribute becomes.

Each function turns one HA state into StateSpecs (``hass_spec``); ``hass_states`` dispatches to them. Only attributes HA actually
reports become states, so a device that lacks a feature does not get a control for it. The service
calls that set these states live in ``hass_services``; the two must agree on the state suffixes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from hi.apps.entity.enums import UNKNOWN_VALUES, EntityStateType

from .client.models import HassState
from .hass_spec import StateSpec, number, reported_step, temperature_step

S = EntityStateType
ALARM_STATES = ["disarmed", "armed_home", "armed_away", "armed_night", "armed_vacation", "armed_custom_bypass",
                "pending", "arming", "disarming", "triggered"]
VALVE_STATES = ["closed", "closing", "open", "opening"]
VACUUM_STATES = ["cleaning", "docked", "idle", "paused", "returning", "error"]
TIMER_STATES = ["idle", "active", "paused"]
SUN_STATES = ["above_horizon", "below_horizon"]
PRESENCE_LABELS = {"home": "Home", "not_home": "Away"}  # away = anywhere but home, a zone included
# supported_features bits Home Assistant defines and these mappings read.
UPDATE_INSTALL = 1
VALVE_SET_POSITION, VALVE_STOP = 4, 8
VACUUM_LOCATE = 512
SIREN_TONES, SIREN_VOLUME_SET, SIREN_DURATION = 4, 8, 16
SIREN_SETTINGS = ("tone", "volume", "duration")  # hi keeps these; the next turn-on sends them
# Weather forecasts: HA's type → its supported_features bit, and the hi state each fills (twice_daily
# only for an entity without a daily forecast: its day and night halves become days).
FORECAST_FLAGS = {"daily": 1, "hourly": 2, "twice_daily": 4}
FORECAST_STATES = {"hourly": "forecast_hourly", "daily": "forecast_daily", "twice_daily": "forecast_daily"}
# HA's weather conditions in words (the current condition's labels, a forecast point's "conditions").
CONDITION_WORDS = {
    "clear-night": "Clear", "cloudy": "Cloudy", "exceptional": "Exceptional", "fog": "Fog", "hail": "Hail",
    "lightning": "Thunderstorms", "lightning-rainy": "Thunderstorms and rain", "partlycloudy": "Partly cloudy",
    "pouring": "Heavy rain", "rainy": "Rain", "snowy": "Snow", "snowy-rainy": "Sleet", "sunny": "Sunny",
    "windy": "Windy", "windy-variant": "Windy and cloudy",
}
# Entities that only offer services (no state worth keeping): never imported, listed in the docs.
SERVICE_ONLY_DOMAINS = frozenset({"conversation", "stt", "tts", "notify", "wake_word", "assist_satellite",
                                  "ai_task"})


def _strings(value: Any) -> list[str] | None:
    return [item for item in value if isinstance(item, str)] or None if isinstance(value, list) else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _features(state: HassState) -> int:
    value = number(state.attributes.get("supported_features"), 0)
    return int(value) if isinstance(value, int) else 0


class _Builder:
    """Collects the specs of one state; ``marker`` (unknown/unavailable) replaces every attribute value."""

    def __init__(self, state: HassState) -> None:
        self.state = state
        self.attrs = state.attributes
        self.name = state.friendly_name
        self.marker = state.state if state.state in UNKNOWN_VALUES else None
        self.specs: list[StateSpec] = []

    def main(self, state_type: str, value_range: Any = None, controllable: bool = False, units: str = "",
             value: Any = None, **extra: Any) -> _Builder:
        self.specs.append(StateSpec("", self.name, state_type, value if value is not None else self.state.state,
                                    value_range, units, controllable, **extra))
        return self

    def attr(self, key: str, label: str, state_type: str, value_range: Any = None, units: str = "",
             controllable: bool = False, convert: Callable[[Any], Any] = number, suffix: str = "") -> _Builder:
        """A state for attribute ``key`` when HA reports it (None counts as reported: an off device)."""
        if key not in self.attrs:
            return self
        value = self.marker or convert(self.attrs.get(key))
        self.specs.append(StateSpec(suffix or key, f"{self.name} {label}", state_type, value, value_range, units,
                                    controllable))
        return self

    def choice(self, key: str, options_key: str, label: str, controllable: bool = True) -> _Builder:
        """A discrete attribute whose options HA lists in ``options_key`` (e.g. preset_mode / preset_modes)."""
        options = _strings(self.attrs.get(options_key))
        if key in self.attrs or options:
            value = self.marker or _text(self.attrs.get(key))
            self.specs.append(StateSpec(key, f"{self.name} {label}", S.DISCRETE, value, options, "",
                                        controllable and bool(options)))
        return self

    def press(self, suffix: str, label: str) -> _Builder:
        self.specs.append(StateSpec(suffix, f"{self.name} {label}", S.PRESS, None, ["press"], "", True))
        return self


def _range(attrs: dict[str, Any], low_key: str, high_key: str, low: float, high: float) -> dict[str, Any]:
    return {"min": number(attrs.get(low_key)) if number(attrs.get(low_key)) is not None else low,
            "max": number(attrs.get(high_key)) if number(attrs.get(high_key)) is not None else high}


def alarm_control_panel(state: HassState, unit: str) -> list[StateSpec]:
    code_format = _text(state.attributes.get("code_format"))
    arm_needs_code = bool(state.attributes.get("code_arm_required", True)) and code_format is not None
    return _Builder(state).main(S.DISCRETE, ALARM_STATES, True,
                                extra={"code_format": code_format, "code_arm_required": arm_needs_code}).specs


def presence(state: HassState, unit: str) -> list[StateSpec]:
    """person / device_tracker: home or away (away = anywhere but home, so an alarm condition on it
    keeps its meaning when HA names a zone), and ``#zone`` — where: home, away or the zone's name
    ("Work"), shown as "At Work". GPS accuracy and source are details of both.
    """
    attrs = state.attributes
    details = {key: attrs[key] for key in ("source", "source_type", "gps_accuracy", "latitude", "longitude")
               if attrs.get(key) is not None}
    builder = _Builder(state)
    at_home = builder.marker or ("home" if state.state == "home" else "not_home")
    builder.main(S.DISCRETE, dict(PRESENCE_LABELS), value=at_home, details=details)
    builder.specs.append(StateSpec("zone", f"{state.friendly_name} place", S.DISCRETE, state.state,
                                   presence_places(()), details=details))
    return builder.attr("battery_level", "battery", S.BATTERY_LEVEL, units="%").specs


def presence_places(zone_names: Iterable[str]) -> dict[str, str]:
    """A ``#zone`` state's values and how they read: HA's home/not_home and each zone's name."""
    places = {"home": "At home", "not_home": "Away"}
    for name in sorted(zone_names):
        if name and name not in places and name not in ("min", "max"):  # min/max would read as a number range
            places[name] = f"At {name}"
    return places


def water_heater(state: HassState, unit: str) -> list[StateSpec]:
    attrs = state.attributes
    temps = _range(attrs, "min_temp", "max_temp", 30, 70)
    temps["step"] = temperature_step(state.entity_id, attrs, unit, temps["max"] - temps["min"], missing_is_normal=True)
    builder = _Builder(state).main(S.DISCRETE, _strings(attrs.get("operation_list")),
                                   bool(_strings(attrs.get("operation_list"))))
    builder.attr("current_temperature", "temperature", S.TEMPERATURE, units=unit)
    builder.attr("temperature", "target temperature", S.TEMPERATURE, temps, unit, True)
    builder.attr("away_mode", "away mode", S.ON_OFF, ["off", "on"], controllable=True, convert=_on_off_text)
    return builder.specs


def _on_off_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "on" if value else "off"
    return value if value in ("on", "off") else None


def humidifier(state: HassState, unit: str) -> list[StateSpec]:
    attrs = state.attributes
    builder = _Builder(state).main(S.ON_OFF, ["off", "on"], True)
    builder.attr("humidity", "target humidity", S.HUMIDITY, _range(attrs, "min_humidity", "max_humidity", 0, 100),
                 "%", True)
    builder.attr("current_humidity", "humidity", S.HUMIDITY, units="%")
    return builder.choice("mode", "available_modes", "mode").specs


def valve(state: HassState, unit: str) -> list[StateSpec]:
    builder = _Builder(state).main(S.DISCRETE, VALVE_STATES, True)
    if _features(state) & VALVE_SET_POSITION or "current_position" in state.attributes:
        builder.attr("current_position", "position", S.OPEN_CLOSE_POSITION, {"min": 0, "max": 100}, "%",
                     bool(_features(state) & VALVE_SET_POSITION), suffix="position")
    if _features(state) & VALVE_STOP:
        builder.press("stop", "stop")
    return builder.specs


def vacuum(state: HassState, unit: str) -> list[StateSpec]:
    builder = _Builder(state).main(S.DISCRETE, VACUUM_STATES, True)
    builder.attr("battery_level", "battery", S.BATTERY_LEVEL, units="%", suffix="battery")
    builder.choice("fan_speed", "fan_speed_list", "fan speed")
    if _features(state) & VACUUM_LOCATE:
        builder.press("locate", "locate")
    return builder.specs


def siren_tones(attributes: dict[str, Any]) -> list[str]:
    """The tones a siren offers, by the names HA shows (``available_tones`` is a list, or a dict id → name;
    HA's ``siren.turn_on`` accepts either the id or the name)."""
    tones = attributes.get("available_tones")
    if isinstance(tones, dict):
        tones = list(tones.values())
    return [str(tone) for tone in tones if isinstance(tone, str | int) and not isinstance(tone, bool)] \
        if isinstance(tones, list) else []


def siren(state: HassState, unit: str) -> list[StateSpec]:
    """on/off, and — where ``supported_features`` allows — tone, volume and duration for the next turn-on.

    Home Assistant reports none of the three back (they are parameters of ``siren.turn_on``), so their
    states hold what was chosen in hi (value None here: a listing never overwrites the choice) and the
    main control sends them along when it turns the siren on.
    """
    features = _features(state)
    builder = _Builder(state).main(S.ON_OFF, ["off", "on"], True)
    tones = siren_tones(state.attributes)
    if features & SIREN_TONES and tones:
        builder.specs.append(StateSpec("tone", f"{state.friendly_name} tone", S.DISCRETE, None, tones, "", True))
    if features & SIREN_VOLUME_SET:
        builder.specs.append(StateSpec("volume", f"{state.friendly_name} volume", S.CONTINUOUS, None,
                                       {"min": 0, "max": 100, "step": 1}, "%", True))
    if features & SIREN_DURATION:
        builder.specs.append(StateSpec("duration", f"{state.friendly_name} duration", S.CONTINUOUS, None,
                                       {"min": 1, "max": 3600, "step": 1}, "s", True))
    return builder.specs


def number_like(state: HassState, unit: str) -> list[StateSpec]:
    """number / input_number / counter: continuous within HA's min/max (and step), with HA's unit.

    A step that is not a positive number within the range is left out (logged once): the control then
    takes any value within min/max, as it does for a counter, which reports no step."""
    attrs = state.attributes
    low_key, high_key = ("minimum", "maximum") if state.domain == "counter" else ("min", "max")
    value_range: dict[str, Any] = {}
    for key, target in ((low_key, "min"), (high_key, "max")):
        if number(attrs.get(key), 6) is not None:
            value_range[target] = number(attrs.get(key), 6)
    span = value_range["max"] - value_range["min"] if {"min", "max"} <= set(value_range) else None
    step = reported_step(state.entity_id, "step", attrs.get("step"), span if span and span > 0 else None,
                         missing_is_normal=True)  # a counter has none: any whole number it accepts
    if step is not None:
        value_range["step"] = step
    value = _Builder(state).marker or number(state.state, 6)
    return _Builder(state).main(S.CONTINUOUS, value_range or None, True, state.unit,
                                value=value if value is not None else state.state).specs


def select_like(state: HassState, unit: str) -> list[StateSpec]:
    return _Builder(state).main(S.DISCRETE, _strings(state.attributes.get("options")), True).specs


def text_like(state: HassState, unit: str) -> list[StateSpec]:
    """text / input_text: a password-mode text shows masked and is not set from here (it would enter history)."""
    attrs = state.attributes
    if attrs.get("mode") == "password":
        masked = state.state if state.state in UNKNOWN_VALUES else "••••••"
        return [StateSpec("", state.friendly_name, S.TEXT, masked, None)]
    limits = {key: attrs[key] for key in ("min", "max", "pattern") if attrs.get(key) is not None}
    value_range = {{"min": "min_length", "max": "max_length"}.get(k, k): v for k, v in limits.items()} or None
    return _Builder(state).main(S.TEXT, value_range, True).specs


def momentary(state: HassState, unit: str) -> list[StateSpec]:
    """button / input_button / scene / script: pressing is the control; the state shows the last press."""
    return _Builder(state).main(S.PRESS, ["press"], True).specs


def date_time(state: HassState, unit: str) -> list[StateSpec]:
    return _Builder(state).main(S.DATETIME, None, True).specs


def timer(state: HassState, unit: str) -> list[StateSpec]:
    builder = _Builder(state).main(S.DISCRETE, TIMER_STATES, True)
    builder.attr("remaining", "remaining", S.BLOB, convert=_text)
    return builder.attr("duration", "duration", S.BLOB, convert=_text).specs


def update(state: HassState, unit: str) -> list[StateSpec]:
    builder = _Builder(state).main(S.ON_OFF, ["off", "on"])
    builder.attr("installed_version", "installed version", S.BLOB, convert=_text)
    builder.attr("latest_version", "latest version", S.BLOB, convert=_text)
    builder.attr("in_progress", "installing", S.ON_OFF, ["off", "on"], convert=lambda v: "on" if v else "off")
    if _features(state) & UPDATE_INSTALL:
        builder.press("install", "install")
    return builder.specs


def sun(state: HassState, unit: str) -> list[StateSpec]:
    builder = _Builder(state).main(S.DISCRETE, SUN_STATES)
    builder.attr("next_rising", "next rising", S.DATETIME, convert=_text)
    builder.attr("next_setting", "next setting", S.DATETIME, convert=_text)
    return builder.attr("elevation", "elevation", S.CONTINUOUS, units="°").specs


def forecast_types(state: HassState) -> list[str]:
    """The forecast types a weather entity offers that hi follows (twice_daily only without daily)."""
    offered = [kind for kind, flag in FORECAST_FLAGS.items() if _features(state) & flag]
    return [kind for kind in offered if not (kind == "twice_daily" and "daily" in offered)]


def weather(state: HassState, unit: str) -> list[StateSpec]:
    """The current conditions; ``#forecast_hourly`` / ``#forecast_daily`` where the entity offers them
    (their values arrive over the WebSocket, ``hass_forecasts``: a listing never carries them)."""
    attrs = state.attributes
    builder = _Builder(state).main(S.DISCRETE, dict(CONDITION_WORDS))
    for kind in forecast_types(state):
        label = "hourly" if kind == "hourly" else "daily"
        builder.specs.append(StateSpec(FORECAST_STATES[kind], f"{state.friendly_name} {label} forecast",
                                       S.MULTIVALUED, None))
    builder.attr("temperature", "temperature", S.TEMPERATURE, units=_text(attrs.get("temperature_unit")) or unit)
    builder.attr("humidity", "humidity", S.HUMIDITY, units="%")
    builder.attr("pressure", "pressure", S.AIR_PRESSURE, units=_text(attrs.get("pressure_unit")) or "")
    builder.attr("wind_speed", "wind speed", S.WIND_SPEED, units=_text(attrs.get("wind_speed_unit")) or "")
    return builder.attr("wind_bearing", "wind bearing", S.CONTINUOUS, units="°").specs


def event(state: HassState, unit: str) -> list[StateSpec]:
    """event: the last fired event type, with its attributes as details; each fire becomes one hi Event.

    HA's state is the time of the last fire, so a new time is a new occurrence (a resent listing
    of the same fire is recognised as a duplicate, never a second Event).
    """
    attrs = state.attributes
    fired = state.state if state.state not in UNKNOWN_VALUES else None
    details = {key: value for key, value in attrs.items()
               if key not in ("friendly_name", "event_types", "icon")}
    if fired is not None:  # an instant: it starts when HA recorded it, which is also when it ends
        details["start"] = state.last_updated.isoformat() if state.last_updated else fired
    value = _Builder(state).marker or _text(attrs.get("event_type"))
    return [StateSpec("", state.friendly_name, S.DISCRETE, value, _strings(attrs.get("event_types")),
                      details=details, occurrence=fired),
            StateSpec("last_fired", f"{state.friendly_name} last fired", S.DATETIME, state.state)]


def air_quality(state: HassState, unit: str) -> list[StateSpec]:
    value = _Builder(state).marker or number(state.state)
    builder = _Builder(state).main(S.CONTINUOUS, units=state.unit or "µg/m³", value=value)
    for key, label in (("particulate_matter_10", "PM10"), ("particulate_matter_0_1", "PM0.1"),
                       ("carbon_dioxide", "CO₂"), ("ozone", "ozone"), ("nitrogen_dioxide", "NO₂")):
        builder.attr(key, label, S.CONTINUOUS)
    return builder.specs


def image(state: HassState, unit: str) -> list[StateSpec]:
    return _Builder(state).main(S.DATETIME).specs


def calendar(state: HassState, unit: str) -> list[StateSpec]:
    """calendar: on while an event runs; the current (or next) event's summary and times as details."""
    attrs = state.attributes
    details = {key: attrs[key] for key in ("message", "start_time", "end_time", "location", "all_day")
               if attrs.get(key) is not None}
    builder = _Builder(state).main(S.ON_OFF, ["off", "on"], details=details)
    return builder.attr("message", "event", S.BLOB, convert=_text).specs


MOWER_STATES = ["mowing", "docked", "paused", "returning", "error"]


def lawn_mower(state: HassState, unit: str) -> list[StateSpec]:
    return _Builder(state).main(S.DISCRETE, MOWER_STATES, True).specs


def geo_location(state: HassState, unit: str) -> list[StateSpec]:
    """geo_location: the distance to the event, with where it is as details."""
    attrs = state.attributes
    details = {key: attrs[key] for key in ("latitude", "longitude", "source") if attrs.get(key) is not None}
    value = _Builder(state).marker or number(state.state)
    return _Builder(state).main(S.CONTINUOUS, units=state.unit, value=value if value is not None else state.state,
                                details=details).specs


def image_processing(state: HassState, unit: str) -> list[StateSpec]:
    """image_processing: how many things (faces, plates) the last image showed; what they were as details."""
    attrs = state.attributes
    details = {key: attrs[key] for key in ("faces", "total_faces", "plates", "vehicles") if key in attrs}
    value = _Builder(state).marker or number(state.state)
    return _Builder(state).main(S.CONTINUOUS, value=value if value is not None else state.state,
                                details=details).specs


def generic_on_off(state: HassState, unit: str) -> list[StateSpec]:
    return _Builder(state).main(S.ON_OFF, ["off", "on"], True,
                                value=state.state if state.state in UNKNOWN_VALUES else
                                ("on" if state.state == "on" else "off")).specs


def automation(state: HassState, unit: str) -> list[StateSpec]:
    """automation: on while it is enabled (off: it no longer triggers), when it last ran, and ``#trigger`` to
    run its actions now (HA's ``automation.trigger``, which skips the conditions, as HA's own Run does)."""
    builder = _Builder(state)
    builder.specs = generic_on_off(state, unit)
    builder.attr("last_triggered", "last run", S.DATETIME, convert=_text)
    return builder.press("trigger", "run now").specs


def schedule(state: HassState, unit: str) -> list[StateSpec]:
    """schedule (a helper): on within one of its time blocks; ``#next_event`` says when that next changes.
    Read-only: HA sets it by the clock, and its blocks are edited in HA."""
    value = _Builder(state).marker or ("on" if state.state == "on" else "off")
    builder = _Builder(state).main(S.ON_OFF, ["off", "on"], value=value)
    return builder.attr("next_event", "next change", S.DATETIME, convert=_text).specs


def todo(state: HassState, unit: str) -> list[StateSpec]:
    value = _Builder(state).marker or number(state.state)
    return _Builder(state).main(S.CONTINUOUS, value=value if value is not None else state.state).specs


DOMAIN_SPECS: dict[str, Callable[[HassState, str], list[StateSpec]]] = {
    "alarm_control_panel": alarm_control_panel, "person": presence, "device_tracker": presence,
    "water_heater": water_heater, "humidifier": humidifier, "valve": valve, "vacuum": vacuum, "siren": siren,
    "number": number_like, "input_number": number_like, "counter": number_like,
    "select": select_like, "input_select": select_like, "text": text_like, "input_text": text_like,
    "button": momentary, "input_button": momentary, "scene": momentary, "script": momentary,
    "date": date_time, "time": date_time, "datetime": date_time, "input_datetime": date_time,
    "timer": timer, "update": update, "sun": sun, "weather": weather, "event": event,
    "air_quality": air_quality, "image": image, "calendar": calendar, "remote": generic_on_off, "todo": todo,
    "lawn_mower": lawn_mower, "geo_location": geo_location, "image_processing": image_processing,
    "automation": automation, "schedule": schedule,
}
