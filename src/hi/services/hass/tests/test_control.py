"""Control: our values become the right Home Assistant service calls, confirmed by HA's own state report."""

from __future__ import annotations

import time
from typing import Any

import pytest

from hi.apps.control.models import ControlOutcome
from hi.apps.entity.models import EntityState
from hi.services.hass.testing import control, ha
from hi.simulator.hass import HassSimulator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("key", "value", "entity_id", "check"), [
    ("light.porch", "on", "light.porch", lambda s: s["state"] == "on"),
    ("light.kitchen", "off", "light.kitchen", lambda s: s["state"] == "off"),
    ("light.hallway#brightness", 40, "light.hallway", lambda s: s["attributes"]["brightness"] == 102),
    ("light.kitchen#hue", 200, "light.kitchen", lambda s: s["attributes"]["hs_color"] == [200.0, 60.0]),
    ("light.kitchen#saturation", 25, "light.kitchen", lambda s: s["attributes"]["hs_color"] == [30.0, 25.0]),
    ("light.office#color_temp", 2700, "light.office", lambda s: s["attributes"]["color_temp_kelvin"] == 2700),
    ("switch.coffee_maker", "on", "switch.coffee_maker", lambda s: s["state"] == "on"),
    ("fan.bedroom_fan", "on", "fan.bedroom_fan", lambda s: s["state"] == "on"),
    ("input_boolean.vacation_mode", "on", "input_boolean.vacation_mode", lambda s: s["state"] == "on"),
    ("lock.back_door", "locked", "lock.back_door", lambda s: s["state"] == "locked"),
    ("cover.garage_door", "open", "cover.garage_door", lambda s: s["state"] == "open"),
    ("cover.living_room_blinds#position", 75, "cover.living_room_blinds",
     lambda s: s["attributes"]["current_position"] == 75),
    ("climate.thermostat#temperature", 22.5, "climate.thermostat", lambda s: s["attributes"]["temperature"] == 22.5),
    ("climate.thermostat", "cool", "climate.thermostat", lambda s: s["state"] == "cool"),
])
def test_values_become_service_calls_and_are_confirmed(home: HassSimulator, key: str, value: Any,
                                                       entity_id: str, check: Any) -> None:
    record = control(key, value)
    assert record.outcome == ControlOutcome.CONFIRMED, record.message
    assert check(ha(home, entity_id))
    assert EntityState.objects.get(entity__integration_id="hass", state_key=key).value == value


def test_failure_carries_home_assistants_message(home: HassSimulator) -> None:
    home.set_state("climate.thermostat", "heat", {"max_temp": 25})  # HA narrowed the range since the import
    record = control("climate.thermostat#temperature", 30)
    assert record.outcome == ControlOutcome.FAILED
    assert "Accepted range is 7 to 25" in record.message
    assert ha(home, "climate.thermostat")["attributes"]["temperature"] == 21.0


def test_dimmer_to_zero_turns_the_light_off(home: HassSimulator) -> None:
    record = control("light.kitchen#brightness", 0)
    assert record.outcome == ControlOutcome.CONFIRMED
    assert ha(home, "light.kitchen")["state"] == "off"
    assert EntityState.objects.get(state_key="light.kitchen").value == "off"


def test_a_stalled_home_assistant_fails_a_control_within_the_configured_read_timeout(home: HassSimulator,
                                                                                     settings: Any) -> None:
    settings.HI_HTTP_READ_TIMEOUT = 0.5
    home.faults.set("stall", seconds=5, count=1, paths=["/api/services/"])
    started = time.monotonic()
    record = control("light.porch", "on")
    waited = time.monotonic() - started
    assert record.outcome == ControlOutcome.FAILED
    assert "read timeout (nothing within 0.5 s)" in record.message and "light/turn_on" in record.message
    assert 0.45 <= waited < 3.0  # the configured 0.5 s, not the 10 s the client once fixed (nor HA's 5 s stall)
