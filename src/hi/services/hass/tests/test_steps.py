"""Steps: a thermostat's minus and plus and a number's control move by what Home Assistant reports (``target_temp_step``,
``step``), within its min/max; a missing or unusable step falls back (0.5 °C, 1 °F) and is logged once.

Against the simulator over its socket: a sync imports the ranges, the pages draw the controls from them,
and a stepper's value goes back to HA as a service call.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hi.apps.access.testing import make_user
from hi.apps.control.models import ControlOutcome
from hi.apps.entity.models import EntityState
from hi.integrations.sync.engine import run_sync
from hi.services.hass.client.models import HassState
from hi.services.hass.hass_converter import responses_for
from hi.services.hass.testing import configure, control, ha
from hi.simulator.hass import HassSimulator

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser() -> Client:
    client = Client()
    client.force_login(make_user("stepper", password="correct horse battery"))
    return client


def state(key: str) -> EntityState:
    return EntityState.objects.get(entity__integration_id="hass", state_key=key)


def stepper(body: str, state_id: int) -> dict[str, str]:
    """The stepper of one state in a page: its data-step/min/max and its two buttons' values."""
    found = re.search(rf'control-stepper" role="group" aria-label="[^"]*" data-control-state="{state_id}" '
                      r'data-step="([^"]*)" data-min="([^"]*)" data-max="([^"]*)">'
                      r'<button type="submit" name="value" value="([^"]*)".*?'
                      r'<button type="submit" name="value" value="([^"]*)"', body, re.S)
    assert found is not None, f"no stepper for state {state_id}"
    return dict(zip(("step", "min", "max", "down", "up"), found.groups(), strict=True))


def test_a_thermostat_steps_by_what_home_assistant_reports_on_its_page_and_card(home: HassSimulator,
                                                                                browser: Client) -> None:
    heater, thermostat = state("climate.office_heater#temperature"), state("climate.thermostat#temperature")
    assert heater.value_range == {"min": 7, "max": 35, "step": 1}  # the simulator's target_temp_step: 1
    assert thermostat.value_range == {"min": 7, "max": 35, "step": 0.5}
    page = browser.get(reverse("entity", args=[heater.entity_id])).content.decode()
    assert stepper(page, heater.id) == {"step": "1", "min": "7", "max": "35", "down": "18", "up": "20"}
    cards = browser.get(reverse("home")).content.decode()
    assert stepper(cards, heater.id)["up"] == "20" and stepper(cards, thermostat.id)["up"] == "21.5"
    record = control("climate.office_heater#temperature", stepper(page, heater.id)["up"])
    assert record.outcome == ControlOutcome.CONFIRMED, record.message
    assert ha(home, "climate.office_heater")["attributes"]["temperature"] == 20


def test_the_stepper_stops_at_the_devices_range(home: HassSimulator, browser: Client) -> None:
    home.set_state("climate.office_heater", "heat", {"min_temp": 16, "max_temp": 20, "temperature": 19.5,
                                                     "target_temp_step": 1})
    run_sync("hass")
    heater = state("climate.office_heater#temperature")
    page = browser.get(reverse("entity", args=[heater.entity_id])).content.decode()
    assert stepper(page, heater.id) == {"step": "1", "min": "16", "max": "20", "down": "18.5", "up": "20"}


@pytest.mark.parametrize(("unit", "step"), [("°C", 0.5), ("°F", 1)])
@pytest.mark.parametrize("reported", ["missing", "fast", 0, -1, 50, True])
def test_a_missing_or_unusable_step_falls_back_to_the_units_default_and_is_logged_once(
        threaded_sim: HassSimulator, caplog: Any, unit: str, step: float, reported: Any) -> None:
    threaded_sim.temperature_unit = unit
    entity_id = f"climate.test_step_{'f' if unit == '°F' else 'c'}_{str(reported).replace('-', 'm').lower()}"
    attributes = {"hvac_modes": ["off", "heat"], "min_temp": 7, "max_temp": 35, "temperature": 20}
    if reported != "missing":
        attributes["target_temp_step"] = reported
    threaded_sim.add_entity(entity_id, "heat", attributes)
    configure(threaded_sim, allowlist="climate")
    with caplog.at_level(logging.INFO, logger="hi.services.hass.hass_spec"):
        run_sync("hass")
        run_sync("hass")  # a second sync and each state change read it again: still one line
        for _ in range(3):
            responses_for(HassState.model_validate(threaded_sim.state_of(entity_id)), unit)
    assert state(f"{entity_id}#temperature").value_range == {"min": 7, "max": 35, "step": step}
    lines = [r for r in caplog.records if entity_id in r.getMessage()]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert "target_temp_step" in lines[0].getMessage() and "default step" in lines[0].getMessage()
    assert lines[0].levelno == (logging.INFO if reported == "missing" else logging.WARNING)


def test_a_fahrenheit_home_steps_a_whole_degree_within_home_assistants_defaults(threaded_sim: HassSimulator,
                                                                                 browser: Client) -> None:
    threaded_sim.temperature_unit = "°F"
    threaded_sim.add_entity("climate.test_bare_f", "heat", {"hvac_modes": ["heat"], "temperature": 68})
    configure(threaded_sim, allowlist="climate")
    run_sync("hass")
    target = state("climate.test_bare_f#temperature")
    assert (target.value_range, target.units) == ({"min": 45, "max": 95, "step": 1}, "°F")
    page = browser.get(reverse("entity", args=[target.entity_id])).content.decode()
    assert stepper(page, target.id) == {"step": "1", "min": "45", "max": "95", "down": "67", "up": "69"}


def test_a_number_moves_by_its_step_and_an_unusable_step_is_dropped(home: HassSimulator, browser: Client,
                                                                      caplog: Any) -> None:
    humidity, delay = state("input_number.target_humidity"), state("number.dishwasher_delay")
    assert humidity.value_range == {"min": 30, "max": 70, "step": 0.5}
    page = browser.get(reverse("entity", args=[humidity.entity_id])).content.decode()
    assert re.search(rf'type="range" name="value" id="control-{humidity.id}" data-control-state="{humidity.id}" '
                     r'min="30" max="70" step="0.5"', page)
    page = browser.get(reverse("entity", args=[delay.entity_id])).content.decode()
    assert re.search(rf'type="number" name="value" id="control-{delay.id}"[^>]*min="0" max="24" step="1"', page)
    home.set_state("number.dishwasher_delay", "2", {"step": 0})
    with caplog.at_level(logging.WARNING, logger="hi.services.hass.hass_spec"):
        run_sync("hass")
    assert state("number.dishwasher_delay").value_range == {"min": 0, "max": 24}
    assert any("number.dishwasher_delay reports step=0" in r.getMessage() for r in caplog.records)
    page = browser.get(reverse("entity", args=[delay.entity_id])).content.decode()
    assert re.search(rf'type="number" name="value" id="control-{delay.id}"[^>]*step="any"', page)
    assert control("input_number.target_humidity", 52.5).outcome == ControlOutcome.CONFIRMED
    assert ha(home, "input_number.target_humidity")["state"] == "52.5"
