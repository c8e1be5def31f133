"""Service calls of the simulated Home Assistant: each one validates its data and changes states realistically.

A handler returns the new ``(state, attributes)`` of one entity; errors carry Home Assistant's codes.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable
from typing import Any

from . import services_more
from .profiles import CLIMATE_TARGET_TEMPERATURE_RANGE, COVER_SET_POSITION


class ServiceError(Exception):
    """A refused call: ``code`` is the WebSocket error code, ``status`` the REST status."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


Handler = Callable[[str, str, dict[str, Any], dict[str, Any]], tuple[str, dict[str, Any]]]


def _number(data: dict[str, Any], key: str, low: float, high: float) -> float | None:
    if key not in data:
        return None
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ServiceError("invalid_format", f"expected float for dictionary value @ data['{key}']")
    if not low <= value <= high:
        raise ServiceError("invalid_format",
                           f"value must be between {low:g} and {high:g} for dictionary value @ data['{key}']")
    return float(value)


def _light_on(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    attrs = dict(attrs)
    modes = attrs.get("supported_color_modes") or ["onoff"]
    pct = _number(data, "brightness_pct", 0, 100)
    brightness = _number(data, "brightness", 0, 255)
    kelvin = _number(data, "color_temp_kelvin", 1000, 20000)
    hs = data.get("hs_color")
    if hs is not None:
        if not (isinstance(hs, list | tuple) and len(hs) == 2 and all(isinstance(v, int | float) for v in hs)
                and 0 <= hs[0] <= 360 and 0 <= hs[1] <= 100):
            raise ServiceError("invalid_format", "invalid hs_color: expected [hue 0-360, saturation 0-100]")
        if "hs" not in modes:
            raise ServiceError("service_validation_error", f"{entity_id} does not support setting a colour")
    if kelvin is not None and "color_temp" not in modes and "hs" not in modes:
        raise ServiceError("service_validation_error", f"{entity_id} does not support colour temperature")
    if pct == 0 or brightness == 0:
        return _light_off(entity_id, state, attrs, data)
    dimmable = modes != ["onoff"]
    if dimmable:
        if pct is not None:
            attrs["brightness"] = round(255 * pct / 100)
        elif brightness is not None:
            attrs["brightness"] = round(brightness)
        else:
            attrs["brightness"] = attrs.get("brightness") or 255
    if hs is not None:
        attrs["hs_color"] = [round(float(hs[0]), 3), round(float(hs[1]), 3)]
        attrs["color_mode"] = "hs"
        red, green, blue = colorsys.hsv_to_rgb(hs[0] / 360, hs[1] / 100, 1)
        attrs["rgb_color"] = [round(red * 255), round(green * 255), round(blue * 255)]
    elif kelvin is not None:
        attrs["color_temp_kelvin"] = round(kelvin)
        attrs["color_mode"] = "color_temp"
    else:
        attrs["color_mode"] = attrs.get("color_mode") or ("hs" if "hs" in modes else modes[0])
        if "hs" in modes:
            attrs.setdefault("hs_color", [30.0, 60.0])
        if "color_temp" in modes:
            attrs.setdefault("color_temp_kelvin", 3000)
    return "on", attrs


def _light_off(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    kept = {k: v for k, v in attrs.items() if k not in {"brightness", "hs_color", "rgb_color", "color_temp_kelvin"}}
    kept["color_mode"] = None
    return "off", kept


def _to(state_value: str) -> Handler:
    def handler(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        return state_value, dict(attrs)

    return handler


def _toggle(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    return ("off" if state == "on" else "on"), dict(attrs)


def _fan_on(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    pct = _number(data, "percentage", 0, 100)
    attrs = dict(attrs)
    attrs["percentage"] = int(pct) if pct is not None else (attrs.get("percentage") or 33)
    return ("off" if attrs["percentage"] == 0 else "on"), attrs


def _fan_off(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    return "off", {**attrs, "percentage": 0}


def _cover_position(position: int | None) -> Handler:
    def handler(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        target = position
        if target is None:
            value = _number(data, "position", 0, 100)
            if value is None:
                raise ServiceError("invalid_format", "required key not provided @ data['position']")
            if not int(attrs.get("supported_features", 0)) & COVER_SET_POSITION:
                raise ServiceError("service_validation_error",
                                   f"Entity {entity_id} does not support action cover.set_cover_position")
            target = int(value)
        new = dict(attrs)
        if "current_position" in attrs:
            new["current_position"] = target
        return ("closed" if target == 0 else "open"), new

    return handler


def _set_temperature(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    low, high = float(attrs.get("min_temp", 7)), float(attrs.get("max_temp", 35))
    new = dict(attrs)
    temperature = _number(data, "temperature", -100, 100)
    t_low, t_high = _number(data, "target_temp_low", -100, 100), _number(data, "target_temp_high", -100, 100)
    if temperature is None and t_low is None and t_high is None:
        raise ServiceError("invalid_format", "must contain at least one of temperature, target_temp_low")
    for value in (temperature, t_low, t_high):
        if value is not None and not low <= value <= high:
            raise ServiceError("service_validation_error",
                               f"Provided temperature {value:g} is not valid. Accepted range is {low:g} to {high:g}")
    if temperature is not None:
        new["temperature"] = temperature
    if t_low is not None or t_high is not None:
        if not int(attrs.get("supported_features", 0)) & CLIMATE_TARGET_TEMPERATURE_RANGE:
            raise ServiceError("service_validation_error", f"{entity_id} does not support a temperature range")
        new["target_temp_low"], new["target_temp_high"] = t_low, t_high
    mode = data.get("hvac_mode") or state
    return mode, new


def _set_hvac_mode(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
    mode = data.get("hvac_mode")
    if not isinstance(mode, str):
        raise ServiceError("invalid_format", "required key not provided @ data['hvac_mode']")
    if mode not in (attrs.get("hvac_modes") or []):
        raise ServiceError("service_validation_error",
                           f"HVAC mode {mode} is not valid. Valid HVAC modes are: "
                           f"{', '.join(attrs.get('hvac_modes') or [])}")
    new = dict(attrs)
    new["hvac_action"] = {"heat": "heating", "cool": "cooling", "off": "off"}.get(mode, "idle")
    return mode, new


def _media(state_value: str) -> Handler:
    def handler(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        return state_value, dict(attrs)

    return handler


_ON_OFF = {"turn_on": _to("on"), "turn_off": _to("off"), "toggle": _toggle}

SERVICES: dict[str, dict[str, Handler]] = {
    "light": {"turn_on": _light_on, "turn_off": _light_off, "toggle": _toggle},
    "switch": dict(_ON_OFF),
    "input_boolean": dict(_ON_OFF),
    "fan": {"turn_on": _fan_on, "turn_off": _fan_off, "set_percentage": _fan_on},
    "lock": {"lock": _to("locked"), "unlock": _to("unlocked"), "open": _to("open")},
    "cover": {"open_cover": _cover_position(100), "close_cover": _cover_position(0),
              "set_cover_position": _cover_position(None)},
    "climate": {"set_temperature": _set_temperature, "set_hvac_mode": _set_hvac_mode,
                "turn_on": _to("heat"), "turn_off": _to("off")},
    "media_player": {"turn_on": _media("on"), "turn_off": _media("off"), "media_play": _media("playing"),
                     "media_pause": _media("paused")},
    "camera": {"turn_on": _to("streaming"), "turn_off": _to("idle")},
}


def _refusing(handler: Handler) -> Handler:
    """A ``services_more`` handler with its refusals raised as ServiceError."""
    def call(entity_id: str, state: str, attrs: dict[str, Any], data: dict[str, Any]) -> tuple[str, dict]:
        try:
            return handler(entity_id, state, attrs, data)
        except services_more._Refused as exc:
            raise ServiceError(exc.code, exc.message) from None

    return call


for _domain, _services in (*services_more.MORE_SERVICES.items(), *services_more.EXTRA_SERVICES.items()):
    SERVICES.setdefault(_domain, {}).update({name: _refusing(h) for name, h in _services.items()})


def describe_services() -> list[dict[str, Any]]:
    """The ``GET /api/services`` body: every domain with its services."""
    return [{"domain": domain, "services": {name: {"name": name.replace("_", " "), "fields": {}}
                                            for name in services}}
            for domain, services in SERVICES.items()]


def service_handler(domain: str, service: str) -> Handler:
    handler = SERVICES.get(domain, {}).get(service)
    if handler is None:
        raise ServiceError("not_found", f"Service {domain}.{service} not found.")
    return handler


def target_entity_ids(data: dict[str, Any], target: dict[str, Any] | None = None) -> list[str]:
    """Entity ids named by ``entity_id`` in the data or the target (a string or a list)."""
    raw: Any = (target or {}).get("entity_id", data.get("entity_id"))
    if raw is None:
        return []
    ids = [raw] if isinstance(raw, str) else raw
    if not isinstance(ids, list) or not all(isinstance(i, str) and "." in i for i in ids):
        raise ServiceError("invalid_format", "Entity ID is an invalid entity ID for dictionary value @ data['entity_id']")
    return ids
