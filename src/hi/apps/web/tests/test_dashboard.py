"""The home page as a dashboard: ordered for use, labelled values, controls that fit, availability shown."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from hi.apps.control.models import Controller
from hi.apps.entity.enums import EntityStateType, EntityType
from hi.apps.entity.models import Entity, EntityState
from hi.integrations.enums import HealthStatus, IntegrationStatus
from hi.integrations.models import Integration

from .homedata import build_home

pytestmark = pytest.mark.django_db


def _healthy(integration_id: str = "hass") -> Integration:
    now = timezone.now()
    return Integration.objects.create(integration_id=integration_id, status=IntegrationStatus.ACTIVE,
                                      health_status=HealthStatus.HEALTHY, last_success_at=now, heartbeat_at=now)


def _thing(name: str, entity_type: str, key: str, states: list[dict], integration_id: str = "hass") -> Entity:
    entity = Entity.objects.create(name=name, entity_type=entity_type, integration_id=integration_id,
                                   integration_name=key)
    for spec in states:
        controllable = spec.pop("controllable", False)
        state = EntityState.objects.create(entity=entity, state_key=spec.pop("key", spec["name"]), **spec)
        if controllable:
            Controller.objects.create(entity_state=state, name=state.name, integration_id=integration_id,
                                      integration_name=f"{key}#{state.state_key}")
    return entity


def test_types_come_in_the_order_a_household_uses_them(client_in):
    _healthy()
    for name, entity_type in (("Back Yard", EntityType.CAMERA), ("Hall", EntityType.SENSOR),
                              ("Porch", EntityType.LIGHT), ("Front Door", EntityType.LOCK),
                              ("Office Heater", EntityType.THERMOSTAT)):
        _thing(name, entity_type, f"x.{name}", [{"name": name, "state_type": EntityStateType.ON_OFF, "value": "on"}])
    body = client_in.get(reverse("home") + "?group=type").content.decode()
    order = [body.index(f">{name}</a>") for name in ("Porch", "Office Heater", "Front Door", "Back Yard", "Hall")]
    assert order == sorted(order)


def test_the_grouping_choice_is_remembered(client_in):
    client_in.get(reverse("home") + "?group=integration")
    assert client_in.get(reverse("home")).context["filters"].group == "integration"


def test_a_thermostat_card_labels_current_and_target_and_offers_minus_plus(client_in):
    _healthy()
    _thing("Office Heater", EntityType.THERMOSTAT, "climate.office", [
        {"key": "", "name": "Office Heater mode", "state_type": EntityStateType.DISCRETE, "value": "off",
         "value_range": ["off", "heat"], "controllable": True},
        {"key": "temperature", "name": "Office Heater target temperature", "state_type": EntityStateType.TEMPERATURE,
         "value": 19.5, "units": "°C", "value_range": {"min": 7, "max": 30}, "controllable": True},
        {"key": "current", "name": "Office Heater temperature", "state_type": EntityStateType.TEMPERATURE,
         "value": 18, "units": "°C"},
    ])
    body = client_in.get(reverse("home")).content.decode()
    card = body[body.index('data-integration="hass"'):]
    labels = re.findall(r'class="state-label">([^<]+)<', card)
    assert labels[:3] == ["Temperature", "Target temperature", "Mode"]  # the reading first
    assert 'aria-label="Lower Target temperature"' in card and 'value="19"' in card and 'value="20"' in card


def test_a_lock_card_has_a_lock_button_and_never_offers_jammed(client_in):
    _healthy()
    _thing("Front Door", EntityType.LOCK, "lock.front", [
        {"name": "Front Door", "state_type": EntityStateType.DISCRETE, "value": "locked", "controllable": True,
         "value_range": ["locked", "unlocked", "locking", "unlocking", "jammed", "open", "opening"]}])
    body = client_in.get(reverse("home")).content.decode()
    assert ">Unlock</button>" in body and ">Lock</button>" in body
    assert 'value="jammed"' not in body and 'value="locking"' not in body


def test_a_paused_integration_greys_its_cards_with_the_reason_and_disables_controls(client_in):
    Integration.objects.create(integration_id="hass", status=IntegrationStatus.PAUSED)
    build_home(2)
    body = client_in.get(reverse("home")).content.decode()
    assert "is-unavailable" in body and "Home Assistant is paused" in body
    buttons = re.findall(r"<button[^>]*name=\"value\"[^>]*>", body)
    assert buttons and all("disabled" in b and 'data-integration-reason="Home Assistant is paused"' in b
                           for b in buttons)


def test_same_named_entities_are_told_apart(client_in):
    _healthy()
    _healthy("zoneminder")
    _thing("Front Door", EntityType.LOCK, "lock.front", [{"name": "Front Door", "state_type": "discrete", "value": "locked"}])
    _thing("Front Door", EntityType.CAMERA, "zm.1", [{"name": "Front Door", "state_type": "discrete", "value": "idle"}],
           integration_id="zoneminder")
    body = client_in.get(reverse("home")).content.decode()
    assert 'entity-subtitle">Home Assistant<' in body and 'entity-subtitle">ZoneMinder<' in body


def test_home_with_availability_costs_the_same_queries_for_any_number(client_in):
    _healthy()
    _healthy("zoneminder")
    build_home(4)
    client_in.get(reverse("home"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client_in.get(reverse("home"))
    build_home(50, integration_id="zoneminder")
    with CaptureQueriesContext(connection) as large:
        client_in.get(reverse("home"))
    assert len(large.captured_queries) == len(small.captured_queries)


_ALARM_STATES = ["disarmed", "armed_home", "armed_away", "armed_night", "pending", "arming", "triggered"]


def _alarm_panel(code_format: str | None) -> Controller:
    panel = _thing("Alarm panel", EntityType.ALARM_PANEL, "alarm_control_panel.security", [
        {"name": "Security", "key": "state", "state_type": EntityStateType.DISCRETE, "value": "disarmed",
         "value_range": _ALARM_STATES, "controllable": True},
        {"name": "Siren", "key": "siren", "state_type": EntityStateType.ON_OFF, "value": "off", "controllable": True}])
    controller = Controller.objects.get(entity_state__entity=panel, entity_state__state_key="state")
    controller.integration_payload = {"code_format": code_format} if code_format else {}
    controller.save(update_fields=["integration_payload"])
    return controller


def test_an_alarm_panel_card_offers_its_modes_and_asks_for_its_code(client_in):
    from hi.apps.control.models import ControlCode

    _healthy()
    controller = _alarm_panel("number")
    body = client_in.get(reverse("home") + "?group=type").content.decode()
    card = body[body.index(f'data-control-state="{controller.entity_state_id}"') - 600:]
    assert "Disarm" in card and "Arm away" in card and 'value="triggered"' not in card and 'value="arming"' not in card
    assert re.search(r'<input[^>]*type="password" name="code" required', card)
    assert '<div class="state-label toggle-label">Siren</div>' in body  # the siren's switch says what it is
    ControlCode.objects.create(controller=controller, code="4321")  # a stored code: no prompt, never rendered
    body = client_in.get(reverse("home") + "?group=type").content.decode()
    assert 'name="code"' not in body and "4321" not in body


def test_an_alarm_panel_without_a_code_format_needs_no_code(client_in):
    _healthy()
    _alarm_panel(None)
    body = client_in.get(reverse("home") + "?group=type").content.decode()
    assert "control-choices" in body and 'name="code"' not in body


def test_the_plan_tap_panel_turns_off_controls_of_an_unavailable_thing_and_says_why(client_in):
    Integration.objects.create(integration_id="hass", status=IntegrationStatus.PAUSED)
    lamp = build_home(1)[0]
    body = client_in.get(reverse("entity-panel", args=[lamp.id])).content.decode()
    assert "Home Assistant is paused" in body
    assert re.search(r'<fieldset[^>]*disabled[^>]*data-integration-reason="Home Assistant is paused"', body)
    assert 'data-integration="hass"' in body
