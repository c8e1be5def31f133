"""How one Home Assistant state becomes our EntityStates and their values (DOMAIN.md, "Home Assistant → model").

``state_specs`` is the single mapping used both by import (types, ranges, units) and by the live
monitor (values), so what a sync creates and what a state change reports can never disagree.
"""

from __future__ import annotations

from typing import Any

from hi.apps.entity.enums import UNKNOWN_VALUES, EntityStateType
from hi.integrations.keys import IntegrationKey

from .client.models import HassState
from .client.rest import INTEGRATION_ID
from .hass_domains import DOMAIN_SPECS
from .hass_spec import StateSpec, is_fahrenheit, number, temperature_step

S = EntityStateType
KEY_SEPARATOR = "#"

BINARY_SENSOR_TYPES: dict[str, str] = {
    "motion": S.MOVEMENT, "occupancy": S.MOVEMENT, "presence": S.PRESENCE,
    "door": S.OPEN_CLOSE, "window": S.OPEN_CLOSE, "garage_door": S.OPEN_CLOSE, "opening": S.OPEN_CLOSE,
    "connectivity": S.CONNECTIVITY, "battery": S.HIGH_LOW,
    "smoke": S.SMOKE, "moisture": S.MOISTURE, "carbon_monoxide": S.CO, "co": S.CO, "gas": S.GAS,
}
# binary_sensor "on" means the active value of its type, except connectivity where "on" is connected.
_BINARY_ON_OFF: dict[str, tuple[str, str]] = {
    S.ON_OFF: ("on", "off"), S.OPEN_CLOSE: ("open", "closed"), S.MOVEMENT: ("active", "idle"),
    S.PRESENCE: ("active", "idle"), S.CONNECTIVITY: ("connected", "disconnected"), S.HIGH_LOW: ("low", "high"),
    S.SMOKE: ("detected", "clear"), S.MOISTURE: ("detected", "clear"), S.CO: ("detected", "clear"),
    S.GAS: ("detected", "clear"),
}
SENSOR_TYPES: dict[str, str] = {
    "temperature": S.TEMPERATURE, "humidity": S.HUMIDITY, "battery": S.BATTERY_LEVEL,
    "illuminance": S.LIGHT_LEVEL, "power": S.ELECTRIC_USAGE, "pressure": S.AIR_PRESSURE,
    "atmospheric_pressure": S.AIR_PRESSURE, "wind_speed": S.WIND_SPEED, "timestamp": S.DATETIME,
    "enum": S.DISCRETE,
}
ON_OFF_DOMAINS = frozenset({"switch", "input_boolean"})
MEDIA_PLAYBACK = ["playing", "paused", "idle"]
FAN_DIRECTIONS = ["forward", "reverse"]
LOCK_STATES = ["locked", "unlocked", "locking", "unlocking", "jammed", "open", "opening"]
CAMERA_STATES = ["idle", "recording", "streaming"]
# A thermostat's settable range when HA reports none (HA's own defaults: 7 to 35 °C, shown as 45 to 95 °F).
CLIMATE_DEFAULT_RANGE = {"°C": (7, 35), "°F": (45, 95)}


def sensor_key(entity_id: str, suffix: str = "") -> IntegrationKey:
    """``hass:light.kitchen`` for the main state, ``hass:light.kitchen#brightness`` for an attribute's."""
    return IntegrationKey(INTEGRATION_ID, f"{entity_id}{KEY_SEPARATOR}{suffix}" if suffix else entity_id)


def split_key_name(name: str) -> tuple[str, str]:
    """Inverse of ``sensor_key``: ``(entity_id, suffix)``."""
    entity_id, _, suffix = name.partition(KEY_SEPARATOR)
    return entity_id, suffix


def _unknown(state: HassState) -> str | None:
    return state.state if state.state in UNKNOWN_VALUES else None


def _on_off(state: HassState) -> str:
    marker = _unknown(state)
    if marker:
        return marker
    return "off" if state.state in {"off", "standby"} else "on"


def _light(state: HassState) -> list[StateSpec]:
    attrs = state.attributes
    name = state.friendly_name
    modes = attrs.get("supported_color_modes") or []
    modes = modes if isinstance(modes, list) else []
    marker = _unknown(state)
    is_on = state.state == "on"
    specs: list[StateSpec] = []
    dimmable = any(mode != "onoff" for mode in modes) or "brightness" in attrs
    specs.append(StateSpec("", name, S.ON_OFF, _on_off(state), ["off", "on"], controllable=True))
    if dimmable:
        brightness = number(attrs.get("brightness"), 0)
        if marker or not is_on:
            value: Any = marker or 0
        else:  # on: HA's 0-255 as a percentage; an on light that does not say leaves the value unknown
            value = round(brightness * 100 / 255) if brightness is not None else None
        specs.append(StateSpec("brightness", f"{name} brightness", S.LIGHT_DIMMER, value,
                               {"min": 0, "max": 100}, "%", controllable=True))
    if "hs" in modes or "rgb" in modes or "xy" in modes or "rgbw" in modes or "rgbww" in modes:
        hs = attrs.get("hs_color")
        hue = saturation = marker
        if isinstance(hs, list | tuple) and len(hs) == 2:
            hue, saturation = number(hs[0], 1), number(hs[1], 1)
        specs.append(StateSpec("hue", f"{name} hue", S.HUE, hue, {"min": 0, "max": 360}, "°", controllable=True))
        specs.append(StateSpec("saturation", f"{name} saturation", S.SATURATION, saturation,
                               {"min": 0, "max": 100}, "%", controllable=True))
    if "color_temp" in modes or "color_temp_kelvin" in attrs:
        low = number(attrs.get("min_color_temp_kelvin"), 0) or 2000
        high = number(attrs.get("max_color_temp_kelvin"), 0) or 6500
        kelvin = marker or number(attrs.get("color_temp_kelvin"), 0)
        specs.append(StateSpec("color_temp", f"{name} colour temperature", S.COLOR_TEMPERATURE, kelvin,
                               {"min": low, "max": high}, "K", controllable=True))
    return specs


def _cover(state: HassState) -> list[StateSpec]:
    name = state.friendly_name
    marker = _unknown(state)
    main = marker or ("closed" if state.state == "closed" else "open")
    specs = [StateSpec("", name, S.OPEN_CLOSE, main, ["closed", "open"], controllable=True)]
    if "current_position" in state.attributes:
        position = marker or number(state.attributes.get("current_position"), 0)
        specs.append(StateSpec("position", f"{name} position", S.OPEN_CLOSE_POSITION, position,
                               {"min": 0, "max": 100}, "%", controllable=True))
    if "current_tilt_position" in state.attributes:
        tilt = marker or number(state.attributes.get("current_tilt_position"), 0)
        specs.append(StateSpec("tilt", f"{name} tilt", S.OPEN_CLOSE_POSITION, tilt,
                               {"min": 0, "max": 100}, "%", controllable=True))
    return specs


def _climate(state: HassState, temperature_unit: str) -> list[StateSpec]:
    attrs = state.attributes
    name = state.friendly_name
    marker = _unknown(state)
    modes = [m for m in attrs.get("hvac_modes") or [] if isinstance(m, str)]
    default_low, default_high = CLIMATE_DEFAULT_RANGE["°F" if is_fahrenheit(temperature_unit) else "°C"]
    low, high = number(attrs.get("min_temp")), number(attrs.get("max_temp"))
    low, high = default_low if low is None else low, default_high if high is None else high
    step = temperature_step(state.entity_id, attrs, temperature_unit, high - low)
    temp_range = {"min": low, "max": high, "step": step}
    specs = [StateSpec("", f"{name} mode", S.DISCRETE, state.state, modes or None, controllable=True)]
    if "current_temperature" in attrs:
        specs.append(StateSpec("current_temperature", f"{name} temperature", S.TEMPERATURE,
                               marker or number(attrs.get("current_temperature")), None, temperature_unit))
    for suffix, label in (("temperature", "target temperature"), ("target_temp_low", "target low"),
                          ("target_temp_high", "target high")):
        if suffix in attrs:
            specs.append(StateSpec(suffix, f"{name} {label}", S.TEMPERATURE, marker or number(attrs.get(suffix)),
                                   temp_range, temperature_unit, controllable=True))
    if "current_humidity" in attrs:
        specs.append(StateSpec("current_humidity", f"{name} humidity", S.HUMIDITY,
                               marker or number(attrs.get("current_humidity")), None, "%"))
    if "humidity" in attrs:
        humidity_range = {"min": number(attrs.get("min_humidity")) or 30, "max": number(attrs.get("max_humidity")) or 99}
        specs.append(StateSpec("humidity", f"{name} target humidity", S.HUMIDITY,
                               marker or number(attrs.get("humidity")), humidity_range, "%", controllable=True))
    specs.extend(_choices(state, marker, (("fan_mode", "fan_modes", "fan mode"),
                                          ("preset_mode", "preset_modes", "preset"),
                                          ("swing_mode", "swing_modes", "swing mode"))))
    return specs


def _choices(state: HassState, marker: str | None,
             keys: tuple[tuple[str, str, str], ...]) -> list[StateSpec]:
    """Discrete controllable attributes whose options HA lists (``preset_mode`` with ``preset_modes``)."""
    specs = []
    for key, options_key, label in keys:
        options = state.attributes.get(options_key)
        options = [o for o in options if isinstance(o, str)] if isinstance(options, list) else []
        if key in state.attributes or options:
            value = marker or state.attributes.get(key)
            specs.append(StateSpec(key, f"{state.friendly_name} {label}", S.DISCRETE,
                                   value if value is None or isinstance(value, str) else str(value),
                                   options or None, controllable=bool(options)))
    return specs


def _fan(state: HassState) -> list[StateSpec]:
    attrs = state.attributes
    name = state.friendly_name
    marker = _unknown(state)
    specs = [StateSpec("", name, S.ON_OFF, _on_off(state), ["off", "on"], controllable=True)]
    if "percentage" in attrs:
        specs.append(StateSpec("percentage", f"{name} speed", S.POWER_LEVEL,
                               marker or number(attrs.get("percentage"), 0) or 0, {"min": 0, "max": 100}, "%",
                               controllable=True))
    specs.extend(_choices(state, marker, (("preset_mode", "preset_modes", "preset"),)))
    if "oscillating" in attrs:
        specs.append(StateSpec("oscillating", f"{name} oscillation", S.ON_OFF,
                               marker or ("on" if attrs.get("oscillating") else "off"), ["off", "on"],
                               controllable=True))
    if "direction" in attrs:
        specs.append(StateSpec("direction", f"{name} direction", S.DISCRETE, marker or attrs.get("direction"),
                               FAN_DIRECTIONS, controllable=True))
    return specs


def _media_player(state: HassState) -> list[StateSpec]:
    attrs = state.attributes
    name = state.friendly_name
    marker = _unknown(state)
    playing = state.state in ("playing", "paused", "idle", "buffering")
    specs = [StateSpec("", name, S.ON_OFF, _on_off(state), ["off", "on"], controllable=True),
             StateSpec("playback", f"{name} playback", S.DISCRETE,
                       marker or (state.state if playing else "idle"), MEDIA_PLAYBACK, controllable=True),
             StateSpec("next", f"{name} next track", S.PRESS, None, ["press"], controllable=True),
             StateSpec("previous", f"{name} previous track", S.PRESS, None, ["press"], controllable=True)]
    if "volume_level" in attrs or state.state not in ("off", *UNKNOWN_VALUES):
        volume = number(attrs.get("volume_level"), 4)
        specs.append(StateSpec("volume", f"{name} volume", S.CONTINUOUS,
                               marker or (round(volume * 100) if volume is not None else None),
                               {"min": 0, "max": 100}, "%", controllable=True))
    if "is_volume_muted" in attrs:
        specs.append(StateSpec("muted", f"{name} mute", S.ON_OFF,
                               marker or ("on" if attrs.get("is_volume_muted") else "off"), ["off", "on"],
                               controllable=True))
    specs.extend(_choices(state, marker, (("source", "source_list", "source"),
                                          ("sound_mode", "sound_mode_list", "sound mode"))))
    for key, label in (("media_title", "title"), ("media_artist", "artist")):
        if key in attrs:
            value = attrs.get(key)
            specs.append(StateSpec(key, f"{name} {label}", S.BLOB, None if value is None else str(value)))
    return specs


def _binary_sensor(state: HassState) -> list[StateSpec]:
    state_type = BINARY_SENSOR_TYPES.get(state.device_class or "", S.ON_OFF)
    on, off = _BINARY_ON_OFF[state_type]
    value = _unknown(state) or (on if state.state == "on" else off)
    return [StateSpec("", state.friendly_name, state_type, value, [off, on])]


def _sensor(state: HassState) -> list[StateSpec]:
    device_class = state.device_class or ""
    marker = _unknown(state)
    state_type = SENSOR_TYPES.get(device_class)
    unit = state.unit
    if state_type is None:
        numeric = bool(unit) or "state_class" in state.attributes
        state_type = S.CONTINUOUS if numeric else S.BLOB
    value_range: Any = None
    if state_type == S.DISCRETE:
        options = state.attributes.get("options")
        value_range = [o for o in options if isinstance(o, str)] if isinstance(options, list) else None
        value: Any = state.state
    elif state_type in (S.DATETIME, S.BLOB):
        value = state.state
    else:
        value = marker or number(state.state)
        if value is None:
            value = state.state  # a non-numeric reading is kept as it came, not dropped
    return [StateSpec("", state.friendly_name, state_type, value, value_range, unit)]


def state_specs(state: HassState, temperature_unit: str = "°C") -> list[StateSpec]:
    """Every EntityState one Home Assistant state yields, with its current value."""
    domain = state.domain
    name = state.friendly_name
    if domain == "light":
        return _light(state)
    if domain == "fan":
        return _fan(state)
    if domain == "media_player":
        return _media_player(state)
    if domain in ON_OFF_DOMAINS:
        return [StateSpec("", name, S.ON_OFF, _on_off(state), ["off", "on"],
                          controllable=True)]
    if domain == "lock":
        code_format = state.attributes.get("code_format")
        return [StateSpec("", name, S.DISCRETE, state.state, LOCK_STATES, controllable=True,
                          extra={"code_format": code_format if isinstance(code_format, str) else None})]
    if domain == "cover":
        return _cover(state)
    if domain == "climate":
        return _climate(state, temperature_unit)
    if domain == "binary_sensor":
        return _binary_sensor(state)
    if domain == "sensor":
        return _sensor(state)
    if domain == "camera":
        return [StateSpec("", name, S.DISCRETE, state.state, CAMERA_STATES)]
    handler = DOMAIN_SPECS.get(domain)
    return handler(state, temperature_unit) if handler is not None else []


def is_mapped(domain: str) -> bool:
    """Whether ``state_specs`` knows the domain (an unknown one yields no states and is skipped)."""
    return domain in _CORE_DOMAINS or domain in DOMAIN_SPECS


_CORE_DOMAINS = frozenset({"light", "fan", "media_player", "switch", "input_boolean", "lock", "cover", "climate",
                           "binary_sensor", "sensor", "camera"})
