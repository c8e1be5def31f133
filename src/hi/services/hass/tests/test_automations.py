"""Automations and schedules, which every Home Assistant home has and hi used to skip as unknown domains:
an automation is imported as on/off (enabled) with when it last ran and a "run now" press, a schedule as
a read-only on/off with its next change; against the simulator over its socket."""

from __future__ import annotations

import pytest

from hi.apps.control.dispatch import ControlValueError
from hi.apps.control.models import ControlOutcome
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.enums import EntityType
from hi.apps.entity.models import Entity, EntityState
from hi.integrations.sync.engine import run_sync
from hi.services.hass.testing import configure, control, ha
from hi.simulator.hass import HassSimulator

pytestmark = pytest.mark.django_db(transaction=True)


def states_of(entity_id: str) -> dict[str, EntityState]:
    found = EntityState.objects.filter(entity__integration_id="hass", state_key__startswith=entity_id)
    return {state.state_key.partition("#")[2]: state for state in found.select_related("entity")}


def test_automations_and_schedules_are_imported_not_skipped(threaded_sim: HassSimulator) -> None:
    configure(threaded_sim)
    report = run_sync("hass")
    skipped = report.to_dict()["skipped"]
    assert skipped["unknown_domain:hologram"] == 1 and not [r for r in skipped if r.startswith("unknown_domain:")
                                                             and r != "unknown_domain:hologram"], skipped
    porch = states_of("automation.porch_light_at_sunset")
    assert set(porch) == {"", "last_triggered", "trigger"}
    assert (porch[""].state_type, porch[""].value, porch[""].name) == (S.ON_OFF, "on", "Porch Light At Sunset")
    assert (porch["last_triggered"].state_type, porch["last_triggered"].value) == (
        S.DATETIME, "2026-11-29T16:31:04+00:00")
    assert porch["trigger"].state_type == S.PRESS and porch[""].entity.entity_type == EntityType.VIRTUAL
    assert porch[""].controllers.exists() and porch["trigger"].controllers.exists()
    assert not porch["last_triggered"].controllers.exists()
    heating = states_of("schedule.heating_hours")
    assert (heating[""].state_type, heating[""].value, heating["next_event"].value) == (
        S.ON_OFF, "on", "2026-11-30T22:00:00+00:00")
    assert not heating[""].controllers.exists()  # HA sets it by the clock
    assert Entity.objects.filter(integration_id="hass", integration_name="schedule.heating_hours").exists()


def test_an_automation_is_turned_off_and_on_and_run_now(home: HassSimulator) -> None:
    record = control("automation.porch_light_at_sunset", "off")
    assert record.outcome == ControlOutcome.CONFIRMED, record.message
    assert ha(home, "automation.porch_light_at_sunset")["state"] == "off"
    assert EntityState.objects.get(state_key="automation.porch_light_at_sunset").value == "off"
    assert control("automation.holiday_lights", "on").outcome == ControlOutcome.CONFIRMED
    assert ha(home, "automation.holiday_lights")["state"] == "on"

    record = control("automation.porch_light_at_sunset#trigger", "press")
    assert record.outcome == ControlOutcome.CONFIRMED and "acknowledged" in record.message
    ran = ha(home, "automation.porch_light_at_sunset")["attributes"]["last_triggered"]
    assert ran != "2026-11-29T16:31:04+00:00"  # HA recorded the run
    assert ("automation", "trigger") in [(domain, service) for domain, service, _ in home.service_calls]
    with pytest.raises(ControlValueError):
        control("automation.porch_light_at_sunset#trigger", "hold")
