"""Home Assistant states map onto our model as DOMAIN.md says, grouped into devices, filtered by the allowlist."""

from __future__ import annotations

from typing import Any

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.enums import EntityType
from hi.services.hass.client import HassState
from hi.services.hass.hass_converter import Allowlist, build_inventory, exclusion, group_states, responses_for
from hi.services.hass.hass_states import state_specs
from hi.simulator.hass.store import StateStore


def st(entity_id: str, state: str, **attributes: Any) -> HassState:
    return HassState(entity_id=entity_id, state=state, attributes=attributes)


def specs(state: HassState) -> dict[str, tuple[str, Any]]:
    return {spec.suffix: (spec.state_type, spec.value) for spec in state_specs(state)}


def demo_states() -> list[HassState]:
    return [HassState.model_validate(s.as_dict()) for s in StateStore("demo").states.values()]


def test_colour_light_has_power_dimmer_hue_saturation_and_colour_temperature() -> None:
    light = st("light.kitchen", "on", supported_color_modes=["color_temp", "hs"], brightness=128,
               hs_color=[200.0, 45.5], color_temp_kelvin=3000)
    assert specs(light) == {"": (S.ON_OFF, "on"), "brightness": (S.LIGHT_DIMMER, 50), "hue": (S.HUE, 200),
                            "saturation": (S.SATURATION, 45.5), "color_temp": (S.COLOR_TEMPERATURE, 3000)}


def test_plain_light_is_on_off_and_an_off_dimmer_reads_zero() -> None:
    assert specs(st("light.porch", "off", supported_color_modes=["onoff"])) == {"": (S.ON_OFF, "off")}
    dimmer = specs(st("light.hall", "off", supported_color_modes=["brightness"]))
    assert dimmer["brightness"] == (S.LIGHT_DIMMER, 0)


def test_unknown_and_unavailable_are_values_not_errors() -> None:
    assert specs(st("sensor.soil", "unknown", unit_of_measurement="%")) == {"": (S.CONTINUOUS, "unknown")}
    light = specs(st("light.x", "unavailable", supported_color_modes=["brightness"]))
    assert light == {"": (S.ON_OFF, "unavailable"), "brightness": (S.LIGHT_DIMMER, "unavailable")}
    assert specs(st("binary_sensor.door", "unavailable", device_class="door")) == {
        "": (S.OPEN_CLOSE, "unavailable")}


def test_binary_sensors_by_device_class() -> None:
    cases = {"motion": (S.MOVEMENT, "active"), "occupancy": (S.MOVEMENT, "active"),
             "presence": (S.PRESENCE, "active"), "door": (S.OPEN_CLOSE, "open"),
             "garage_door": (S.OPEN_CLOSE, "open"), "connectivity": (S.CONNECTIVITY, "connected"),
             "battery": (S.HIGH_LOW, "low"), "smoke": (S.SMOKE, "detected"), "moisture": (S.MOISTURE, "detected"),
             "gas": (S.GAS, "detected"), "sound": (S.ON_OFF, "on")}
    for device_class, expected in cases.items():
        assert specs(st("binary_sensor.x", "on", device_class=device_class))[""] == expected, device_class
    assert specs(st("binary_sensor.x", "off", device_class="connectivity"))[""] == (S.CONNECTIVITY, "disconnected")


def test_sensors_by_device_class_keep_units() -> None:
    temperature = state_specs(st("sensor.t", "21.5", device_class="temperature", unit_of_measurement="°F"))[0]
    assert (temperature.state_type, temperature.value, temperature.units) == (S.TEMPERATURE, 21.5, "°F")
    assert specs(st("sensor.b", "87", device_class="battery", unit_of_measurement="%"))[""] == (S.BATTERY_LEVEL, 87)
    assert specs(st("sensor.p", "3.5", device_class="power", unit_of_measurement="W"))[""] == (S.ELECTRIC_USAGE, 3.5)
    enum = state_specs(st("sensor.w", "washing", device_class="enum", options=["idle", "washing"]))[0]
    assert (enum.state_type, enum.value_range) == (S.DISCRETE, ["idle", "washing"])
    assert specs(st("sensor.note", "hello"))[""] == (S.BLOB, "hello")


def test_cover_climate_and_lock() -> None:
    cover = specs(st("cover.blinds", "open", current_position=40))
    assert cover == {"": (S.OPEN_CLOSE, "open"), "position": (S.OPEN_CLOSE_POSITION, 40)}
    assert specs(st("cover.garage", "closed")) == {"": (S.OPEN_CLOSE, "closed")}
    climate = state_specs(st("climate.t", "heat", hvac_modes=["off", "heat"], current_temperature=20.5,
                             temperature=21))
    by_suffix = {s.suffix: s for s in climate}
    assert (by_suffix[""].state_type, by_suffix[""].value, by_suffix[""].value_range) == (
        S.DISCRETE, "heat", ["off", "heat"])
    assert not by_suffix["current_temperature"].controllable and by_suffix["temperature"].controllable
    assert specs(st("lock.front", "locked"))[""] == (S.DISCRETE, "locked")


def test_states_of_one_device_are_grouped() -> None:
    importable = [s for s in demo_states() if exclusion(s, Allowlist.parse(""), None) is None]
    groups = {tuple(s.entity_id for s in group) for group in group_states(importable)}
    assert ("binary_sensor.kitchen_motion", "binary_sensor.kitchen_motion_low_battery",
            "sensor.kitchen_motion_battery", "sensor.kitchen_motion_illuminance") in groups
    assert ("switch.coffee_maker", "sensor.coffee_maker_power") in groups
    assert ("lock.front_door", "sensor.front_door_battery") in groups
    # a motion sensor named after a room does not swallow the room's light
    assert ("light.kitchen",) in groups


def test_inventory_of_the_demo_home() -> None:
    inventory = build_inventory(demo_states(), Allowlist.parse(""))
    by_key = {str(e.key): e for e in inventory.entities}
    kitchen = by_key["hass:light.kitchen"]
    assert kitchen.entity_type == EntityType.LIGHT
    assert [s.state_key for s in kitchen.states] == [
        "light.kitchen", "light.kitchen#brightness", "light.kitchen#hue", "light.kitchen#saturation",
        "light.kitchen#color_temp"]
    assert all(s.controller is not None for s in kitchen.states)
    motion = by_key["hass:binary_sensor.kitchen_motion"]
    assert motion.entity_type == EntityType.MOTION_SENSOR and len(motion.states) == 4
    assert all(s.controller is None for s in motion.states)
    assert "hass:sun.sun" in by_key and "hass:person.alex" in by_key  # the default imports every mapped domain
    assert "hass:tts.piper" not in by_key and "hass:zone.home" not in by_key
    assert inventory.skipped["service_only"] == 6 and inventory.skipped["unknown_domain:hologram"] == 1
    keys = [str(s.sensor.key) for e in inventory.entities for s in e.states]
    assert len(keys) == len(set(keys))


def test_allowlist_limits_by_domain_and_device_class() -> None:
    allowlist = Allowlist.parse("light\nbinary_sensor:motion")
    inventory = build_inventory(demo_states(), allowlist)
    members = {eid for e in inventory.entities for eid in e.payload["entity_ids"]}
    assert "binary_sensor.kitchen_motion" in members and "light.office" in members
    assert "binary_sensor.front_door_contact" not in members and "switch.coffee_maker" not in members


def test_responses_skip_attributes_home_assistant_left_out() -> None:
    off = st("light.l", "off", supported_color_modes=["hs"])
    assert [(str(r.integration_key), r.value) for r in responses_for(off)] == [
        ("hass:light.l", "off"), ("hass:light.l#brightness", 0)]


def test_an_on_light_without_brightness_reports_no_dimmer_value() -> None:
    light = st("light.l", "on", supported_color_modes=["brightness"])
    assert [(str(r.integration_key), r.value) for r in responses_for(light)] == [("hass:light.l", "on")]


def test_a_person_in_a_zone_is_away_and_at_that_zone() -> None:
    """Away means not home (an alarm condition on it keeps its meaning); the place says which zone."""
    inventory = build_inventory(demo_states(), Allowlist.parse(""))
    states = {s.state_key: s for e in inventory.entities for s in e.states}
    at_work, at_home = states["device_tracker.sam_phone"], states["device_tracker.alex_phone"]
    assert (at_work.value, at_home.value) == ("not_home", "home")
    assert at_work.value_range == {"home": "Home", "not_home": "Away"}
    place = states["device_tracker.sam_phone#zone"]
    assert place.value == "Work" and place.value_range["Work"] == "At Work"
    assert place.value_range["home"] == "At home" and place.value_range["not_home"] == "Away"
    assert place.controller is None and at_work.controller is None
    responses = {str(r.integration_key): r.value for r in responses_for(st("person.sam", "Work"))}
    assert responses == {"hass:person.sam": "not_home", "hass:person.sam#zone": "Work"}


def test_a_place_reads_as_at_the_zone() -> None:
    from hi.apps.web.presentation import describe_state
    from hi.services.hass.hass_domains import presence_places

    assert describe_state(S.DISCRETE, "Work", value_range=presence_places(["Work"])).text == "At Work"
    assert describe_state(S.DISCRETE, "not_home", value_range={"home": "Home", "not_home": "Away"}).text == "Away"
