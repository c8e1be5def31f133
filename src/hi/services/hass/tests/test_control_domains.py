"""Control of every newer domain: the right service call, confirmed by HA's resulting state or acknowledgement,
and alarm codes that reach Home Assistant but never our history or logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from hi.apps.control.dispatch import ControlValueError
from hi.apps.control.models import ControlCode, Controller, ControllerHistory, ControlOutcome
from hi.services.hass.testing import control, ha
from hi.simulator.hass import HassSimulator
from hi.simulator.hass.demo_home import ALARM_CODE, reveals_alarm_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("key", "value", "entity_id", "check"), [
    ("valve.main_water", "closed", "valve.main_water", lambda s: s["state"] == "closed"),
    ("valve.main_water#position", 30, "valve.main_water", lambda s: s["attributes"]["current_position"] == 30),
    ("vacuum.robot", "cleaning", "vacuum.robot", lambda s: s["state"] == "cleaning"),
    ("vacuum.robot#fan_speed", "max", "vacuum.robot", lambda s: s["attributes"]["fan_speed"] == "max"),
    ("number.dishwasher_delay", 3, "number.dishwasher_delay", lambda s: float(s["state"]) == 3),
    ("input_number.target_humidity", 50.5, "input_number.target_humidity", lambda s: float(s["state"]) == 50.5),
    ("select.washer_program", "wool", "select.washer_program", lambda s: s["state"] == "wool"),
    ("input_select.house_mode", "night", "input_select.house_mode", lambda s: s["state"] == "night"),
    ("text.welcome_message", "Hi there", "text.welcome_message", lambda s: s["state"] == "Hi there"),
    ("media_player.living_room_tv#volume", 55, "media_player.living_room_tv",
     lambda s: s["attributes"]["volume_level"] == 0.55),
    ("media_player.living_room_tv#playback", "paused", "media_player.living_room_tv",
     lambda s: s["state"] == "paused"),
    ("media_player.living_room_tv#source", "TV", "media_player.living_room_tv",
     lambda s: s["attributes"]["source"] == "TV"),
    ("media_player.living_room_tv#muted", "on", "media_player.living_room_tv",
     lambda s: s["attributes"]["is_volume_muted"] is True),
    ("fan.attic_fan#preset_mode", "sleep", "fan.attic_fan", lambda s: s["attributes"]["preset_mode"] == "sleep"),
    ("fan.attic_fan#oscillating", "on", "fan.attic_fan", lambda s: s["attributes"]["oscillating"] is True),
    ("fan.attic_fan#percentage", 40, "fan.attic_fan", lambda s: s["attributes"]["percentage"] == 40),
    ("cover.living_room_blinds#tilt", 20, "cover.living_room_blinds",
     lambda s: s["attributes"]["current_tilt_position"] == 20),
    ("water_heater.boiler", "performance", "water_heater.boiler", lambda s: s["state"] == "performance"),
    ("water_heater.boiler#temperature", 60, "water_heater.boiler", lambda s: s["attributes"]["temperature"] == 60),
    ("water_heater.boiler#away_mode", "on", "water_heater.boiler", lambda s: s["attributes"]["away_mode"] == "on"),
    ("humidifier.bedroom_humidifier#humidity", 55, "humidifier.bedroom_humidifier",
     lambda s: s["attributes"]["humidity"] == 55),
    ("humidifier.bedroom_humidifier#mode", "eco", "humidifier.bedroom_humidifier",
     lambda s: s["attributes"]["mode"] == "eco"),
    ("siren.hallway_siren", "on", "siren.hallway_siren", lambda s: s["state"] == "on"),
    ("timer.laundry", "active", "timer.laundry", lambda s: s["state"] == "active"),
    ("date.garbage_day", "2026-12-09", "date.garbage_day", lambda s: s["state"] == "2026-12-09"),
    ("counter.guests", 5, "counter.guests", lambda s: s["state"] == "5"),
])
def test_values_become_service_calls_confirmed_by_the_resulting_state(
        home: HassSimulator, key: str, value: Any, entity_id: str, check: Any) -> None:
    record = control(key, value)
    assert record.outcome == ControlOutcome.CONFIRMED, record.message
    assert check(ha(home, entity_id))


@pytest.mark.parametrize(("key", "entity_id"), [
    ("button.router_restart", "button.router_restart"), ("scene.movie_night", "scene.movie_night"),
    ("input_button.doorbell_test", "input_button.doorbell_test"), ("vacuum.robot#locate", "vacuum.robot"),
    ("update.router_firmware#install", "update.router_firmware"), ("media_player.living_room_tv#next", None),
])
def test_momentary_controls_are_confirmed_by_the_acknowledgement(home: HassSimulator, key: str,
                                                                 entity_id: str | None) -> None:
    before = ha(home, entity_id)["state"] if entity_id else None
    record = control(key, "press")
    assert record.outcome == ControlOutcome.CONFIRMED and "acknowledged" in record.message
    if key.startswith(("button.", "scene.")):
        assert ha(home, entity_id)["state"] != before  # HA records the time of the press
    with pytest.raises(ControlValueError):
        control(key, "hold")


def test_a_text_outside_its_limits_is_refused_before_anything_is_sent(home: HassSimulator) -> None:
    with pytest.raises(ControlValueError, match="at most 64"):
        control("text.welcome_message", "x" * 65)
    assert not ControllerHistory.objects.exists()


def test_alarm_panel_arms_and_disarms_with_a_code_that_is_never_kept(home: HassSimulator,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = control("alarm_control_panel.security", "armed_away", code="0000")
    assert wrong.outcome == ControlOutcome.FAILED and "Invalid alarm code" in wrong.message
    armed = control("alarm_control_panel.security", "armed_away", code=ALARM_CODE)
    assert armed.outcome == ControlOutcome.CONFIRMED, armed.message
    assert ha(home, "alarm_control_panel.security")["state"] == "armed_away"
    disarmed = control("alarm_control_panel.security", "disarmed", code=ALARM_CODE)
    assert disarmed.outcome == ControlOutcome.CONFIRMED
    rows = list(ControllerHistory.objects.values_list("requested_value", "expected_value", "message",
                                                      "requested_by"))
    assert not reveals_alarm_code(repr(rows)) and "0000" not in repr(rows)
    assert not reveals_alarm_code(caplog.text)


def test_a_stored_code_is_used_when_none_is_given(home: HassSimulator) -> None:
    panel = Controller.objects.get(integration_id="hass", integration_name="alarm_control_panel.security")
    assert panel.integration_payload["code_format"] == "number"
    ControlCode.objects.create(controller=panel, code=ALARM_CODE)
    record = control("alarm_control_panel.security", "armed_home")
    assert record.outcome == ControlOutcome.CONFIRMED, record.message


def test_a_code_for_an_integration_that_takes_none_is_refused(home: HassSimulator) -> None:
    with pytest.raises(ControlValueError, match="does not take a code"):
        # the hass controller takes codes; a gateway without ``accepts_code`` does not
        from hi.apps.control import dispatch

        class NoCodes:
            accepts_code = False

        dispatch._code_for(Controller.objects.get(integration_name="light.porch"), "1", NoCodes())


def test_a_siren_offers_only_its_tones_and_turns_on_with_the_settings_chosen(home: HassSimulator) -> None:
    tone = Controller.objects.get(integration_name="siren.hallway_siren#tone")
    assert tone.entity_state.value_range == ["alarm", "chime"]
    with pytest.raises(ControlValueError):
        control("siren.hallway_siren#tone", "foghorn")  # not one HA offers: refused before anything is sent
    with pytest.raises(ControlValueError):
        control("siren.hallway_siren#volume", 120)
    sent = len(home.service_calls)
    for key, value in (("tone", "chime"), ("volume", 40), ("duration", 15)):
        record = control(f"siren.hallway_siren#{key}", value)
        assert record.outcome == ControlOutcome.CONFIRMED, record.message
    assert len(home.service_calls) == sent  # settings are kept by hi, not sent on their own
    assert control("siren.hallway_siren", "on").outcome == ControlOutcome.CONFIRMED
    domain, service, data = home.service_calls[-1]
    assert (domain, service) == ("siren", "turn_on")
    assert data["tone"] == "chime" and data["volume_level"] == 0.4 and data["duration"] == 15


def test_a_siren_without_those_features_gets_no_such_controls(home: HassSimulator) -> None:
    from hi.services.hass.client.models import HassState
    from hi.services.hass.hass_domains import siren

    plain = HassState.model_validate({"entity_id": "siren.plain", "state": "off",
                                      "attributes": {"supported_features": 3, "available_tones": ["a"]}})
    assert [spec.suffix for spec in siren(plain, "°C")] == [""]
    named = HassState.model_validate({"entity_id": "siren.named", "state": "off",
                                      "attributes": {"supported_features": 4, "available_tones": {"1": "Fire"}}})
    assert [(spec.suffix, spec.value_range) for spec in siren(named, "°C")][1] == ("tone", ["Fire"])
