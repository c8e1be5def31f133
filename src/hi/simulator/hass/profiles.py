"""The homes the Home Assistant simulator can pretend to be: a small demo house and a 5,000-entity one.

Each profile is a list of ``(entity_id, state, attributes)`` seeds; the server stamps times and contexts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .demo_home import demo_registry, extra_demo_seeds, scale_registry
from .registry import RegistrySeed

Seed = tuple[str, str, dict[str, Any]]

# supported_features bits as Home Assistant defines them (only the ones the simulator honours).
COVER_OPEN, COVER_CLOSE, COVER_SET_POSITION = 1, 2, 4
CLIMATE_TARGET_TEMPERATURE, CLIMATE_TARGET_TEMPERATURE_RANGE = 1, 2
LOCK_OPEN = 1
FAN_SET_SPEED = 1


def _light(name: str, on: bool, *, brightness: int | None = None, colour: bool = False,
           kelvin: int | None = None) -> Seed:
    modes: list[str] = ["onoff"]
    if colour:
        modes = ["color_temp", "hs"]
    elif kelvin is not None:
        modes = ["color_temp"]
    elif brightness is not None:
        modes = ["brightness"]
    attrs: dict[str, Any] = {"friendly_name": name.replace("_", " ").title(), "supported_color_modes": modes,
                             "supported_features": 40 if colour else 0}
    if "color_temp" in modes:
        attrs.update(min_color_temp_kelvin=2000, max_color_temp_kelvin=6500)
    if on:
        attrs["color_mode"] = "hs" if colour else ("color_temp" if kelvin else modes[0])
        if brightness is not None or colour or kelvin is not None:
            attrs["brightness"] = brightness if brightness is not None else 255
        if colour:
            attrs["hs_color"] = [30.0, 60.0]
        if kelvin is not None or colour:
            attrs["color_temp_kelvin"] = kelvin or 3000
    else:
        attrs["color_mode"] = None
    return f"light.{name}", "on" if on else "off", attrs


def _binary(name: str, device_class: str, on: bool = False) -> Seed:
    return (f"binary_sensor.{name}", "on" if on else "off",
            {"friendly_name": name.replace("_", " ").title(), "device_class": device_class})


def _sensor(name: str, value: str, device_class: str | None, unit: str | None, **extra: Any) -> Seed:
    attrs: dict[str, Any] = {"friendly_name": name.replace("_", " ").title(), **extra}
    if device_class:
        attrs["device_class"] = device_class
    if unit:
        attrs["unit_of_measurement"] = unit
        attrs.setdefault("state_class", "measurement")
    return f"sensor.{name}", value, attrs


def _simple(domain: str, name: str, state: str, **attrs: Any) -> Seed:
    return f"{domain}.{name}", state, {"friendly_name": name.replace("_", " ").title(), **attrs}


def _cover(name: str, position: int | None, device_class: str = "shade") -> Seed:
    features = COVER_OPEN | COVER_CLOSE | (COVER_SET_POSITION if position is not None else 0)
    attrs: dict[str, Any] = {"friendly_name": name.replace("_", " ").title(), "device_class": device_class,
                             "supported_features": features}
    if position is not None:
        attrs["current_position"] = position
    state = "closed" if (position == 0 if position is not None else True) else "open"
    return f"cover.{name}", state, attrs


def _climate(name: str, mode: str, current: float, target: float, step: float = 0.5) -> Seed:
    return f"climate.{name}", mode, {
        "friendly_name": name.replace("_", " ").title(),
        "hvac_modes": ["off", "heat", "cool", "heat_cool", "auto"],
        "min_temp": 7, "max_temp": 35, "target_temp_step": step,
        "current_temperature": current, "temperature": target,
        "hvac_action": "heating" if mode == "heat" else "idle",
        "supported_features": CLIMATE_TARGET_TEMPERATURE | 128 | 256,
    }


def demo_seeds() -> list[Seed]:
    """About forty entities across every domain the integration maps, with devices spread over domains."""
    return [
        _light("kitchen", True, brightness=180, colour=True),
        _light("living_room", False, brightness=None, colour=True),
        _light("bedroom", True, brightness=64, kelvin=2700),
        _light("hallway", False, brightness=128),
        _light("porch", False),
        _light("office", True, brightness=255, kelvin=4000),
        _simple("switch", "coffee_maker", "off"),
        _simple("switch", "garden_pump", "on"),
        _sensor("coffee_maker_power", "0.0", "power", "W"),
        _simple("fan", "bedroom_fan", "off", percentage=0, supported_features=FAN_SET_SPEED),
        _simple("fan", "attic_fan", "on", percentage=66, percentage_step=1, preset_mode=None,
                preset_modes=["auto", "sleep"], oscillating=False, direction="forward",
                supported_features=FAN_SET_SPEED | 2 | 4 | 8),
        _simple("lock", "front_door", "locked"),
        _simple("lock", "back_door", "unlocked"),
        _sensor("front_door_battery", "87", "battery", "%"),
        (lambda seed: (seed[0], seed[1], {**seed[2], "current_tilt_position": 50,
                                          "supported_features": seed[2]["supported_features"] | 128}))(
            _cover("living_room_blinds", 40)),
        _cover("bedroom_curtains", 0, "curtain"),
        _cover("garage_door", None, "garage"),
        _climate("thermostat", "heat", 20.5, 21.0),
        _climate("office_heater", "off", 18.0, 19.0, step=1),  # whole degrees only, as some heaters have
        _sensor("thermostat_humidity", "41", "humidity", "%"),
        _binary("kitchen_motion", "motion"),
        _sensor("kitchen_motion_battery", "92", "battery", "%"),
        _sensor("kitchen_motion_illuminance", "240", "illuminance", "lx"),
        _binary("hallway_occupancy", "occupancy", True),
        _binary("front_door_contact", "door"),
        _binary("bathroom_window", "window", True),
        _binary("internet", "connectivity", True),
        _binary("smoke_detector", "smoke"),
        _binary("basement_leak", "moisture"),
        _binary("doorbell", "sound"),
        _binary("kitchen_motion_low_battery", "battery"),
        _sensor("outside_temperature", "12.4", "temperature", "°C"),
        _sensor("living_room_temperature", "21.3", "temperature", "°C"),
        _sensor("living_room_humidity", "45.2", "humidity", "%"),
        _sensor("barometer", "1013.2", "pressure", "hPa"),
        _sensor("wind", "3.6", "wind_speed", "m/s"),
        _sensor("house_power", "412.7", "power", "W"),
        _sensor("last_boot", "2026-11-20T06:12:00+00:00", "timestamp", None),
        _sensor("washing_machine_status", "idle", "enum", None, options=["idle", "washing", "rinsing", "spinning"]),
        _sensor("garden_soil", "unknown", None, "%"),
        _sensor("router_uptime", "unavailable", None, "h"),
        _simple("camera", "front_yard", "idle", brand="Simulated", frontend_stream_type="hls"),
        _simple("camera", "back_yard", "recording", brand="Simulated"),
        _simple("media_player", "living_room_tv", "playing", volume_level=0.3, is_volume_muted=False,
                source="HDMI 1", source_list=["HDMI 1", "HDMI 2", "TV"], sound_mode="standard",
                sound_mode_list=["standard", "cinema"], media_title="Nature documentary", media_artist="BBC"),
        _simple("media_player", "kitchen_speaker", "off"),
        _simple("input_boolean", "vacation_mode", "off"),
        _simple("input_boolean", "guest_mode", "on"),
        _simple("sun", "sun", "above_horizon", elevation=24.1, next_rising="2026-12-01T07:31:00+00:00",
                next_setting="2026-12-01T15:49:00+00:00", rising=False),
        _simple("person", "alex", "home", source="device_tracker.alex_phone", gps_accuracy=12, latitude=52.37,
                longitude=4.89, user_id=None, id="alex"),
        *extra_demo_seeds(),
    ]


_SCALE_KINDS = ("light", "switch", "binary_sensor", "sensor", "sensor_battery", "cover", "lock", "climate",
                "fan", "input_boolean")


def scale_seeds(count: int = 5000) -> list[Seed]:
    """A deterministic big home: ``count`` entities, ten kinds round-robin, devices with battery sensors."""
    seeds: list[Seed] = []
    index = 0
    while len(seeds) < count:
        kind = _SCALE_KINDS[index % len(_SCALE_KINDS)]
        room = f"room{index // len(_SCALE_KINDS):04d}"
        if kind == "light":
            seeds.append(_light(f"{room}_light", index % 3 == 0, brightness=(index * 7) % 256, colour=index % 2 == 0))
        elif kind == "switch":
            seeds.append(_simple("switch", f"{room}_plug", "on" if index % 2 else "off"))
        elif kind == "binary_sensor":
            seeds.append(_binary(f"{room}_motion", "motion", index % 5 == 0))
        elif kind == "sensor":
            seeds.append(_sensor(f"{room}_temperature", f"{18 + (index % 70) / 10:.1f}", "temperature", "°C"))
        elif kind == "sensor_battery":
            seeds.append(_sensor(f"{room}_motion_battery", str(50 + index % 50), "battery", "%"))
        elif kind == "cover":
            seeds.append(_cover(f"{room}_blinds", index % 101))
        elif kind == "lock":
            seeds.append(_simple("lock", f"{room}_lock", "locked"))
        elif kind == "climate":
            seeds.append(_climate(f"{room}_thermostat", "heat", 19.0 + index % 4, 21.0))
        elif kind == "fan":
            seeds.append(_simple("fan", f"{room}_fan", "off", percentage=0, supported_features=FAN_SET_SPEED))
        else:
            seeds.append(_simple("input_boolean", f"{room}_scene", "off"))
        index += 1
    return seeds


PROFILES = {"demo": demo_seeds, "scale": scale_seeds}
REGISTRIES: dict[str, Callable[[list[Seed]], RegistrySeed]] = {
    "demo": lambda seeds: demo_registry(), "scale": scale_registry}
