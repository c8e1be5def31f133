"""Control dispatch: values are validated and normalised, refusals are clear, outcomes are recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hi.apps.control.confirmation import expire_unconfirmed, values_match
from hi.apps.control.dispatch import (
    ControllerNotFound,
    ControlValueError,
    dispatch_control,
    validate_control_value,
)
from hi.apps.control.models import Controller, ControllerHistory, ControlOutcome
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.models import EntityState
from hi.integrations.exceptions import ControlError


def state(state_type: str, value_range=None, name: str = "brightness") -> EntityState:
    return EntityState(state_key="main", name=name, state_type=state_type, value_range=value_range)


@pytest.mark.parametrize(("state_type", "value_range", "given", "expected"), [
    (S.ON_OFF, None, "ON", "on"),
    (S.ON_OFF, None, True, "on"),
    (S.OPEN_CLOSE, None, " Closed ", "closed"),
    (S.LIGHT_DIMMER, None, "50", 50),
    (S.LIGHT_DIMMER, None, 12.5, 12.5),
    (S.TEMPERATURE, {"min": 5, "max": 30}, "21.5", 21.5),
    (S.DISCRETE, ["None", "Monitor", "Modect"], "modect", "Modect"),
    (S.DISCRETE, {"heat": "Heating", "off": "Off"}, "heat", "heat"),
    (S.BLOB, None, {"any": "thing"}, {"any": "thing"}),
])
def test_values_are_normalised(state_type, value_range, given, expected):
    assert validate_control_value(state(state_type, value_range), given) == expected


@pytest.mark.parametrize(("state_type", "value_range", "given", "message"), [
    (S.LIGHT_DIMMER, None, 150, "brightness must be between 0 and 100"),
    (S.LIGHT_DIMMER, None, "bright", "brightness needs a number, not 'bright'"),
    (S.LIGHT_DIMMER, None, float("nan"), "needs a number"),
    (S.ON_OFF, None, "dim", "brightness accepts off or on, not 'dim'"),
    (S.DISCRETE, ["None", "Monitor"], "Record", "must be one of: None, Monitor"),
    (S.TEMPERATURE, {"min": 5}, 2, "must be at least 5"),
])
def test_invalid_values_are_refused_with_a_clear_message(state_type, value_range, given, message):
    with pytest.raises(ControlValueError, match=message) as caught:
        validate_control_value(state(state_type, value_range), given)
    assert isinstance(caught.value, ValueError)


def test_values_match_tolerates_rounding_and_case():
    assert values_match(50.2, 50) and values_match("ON", "on") and not values_match(52, 50)
    assert not values_match("50", 50.2)


@pytest.mark.django_db
def test_unknown_and_detached_controllers_are_refused(toy_integration):
    with pytest.raises(ControllerNotFound, match="no controller with key toy:nothing"):
        dispatch_control("toy:nothing", "on", requested_by="test")
    with pytest.raises(ControllerNotFound):
        dispatch_control("no-colon", "on", requested_by="test")
    controller = Controller.objects.get(integration_name="kitchen")
    controller.detach()
    controller.save()
    with pytest.raises(ControlError, match="detached"):
        dispatch_control("toy:kitchen", "on", requested_by="test")
    assert not ControllerHistory.objects.exists()


@pytest.mark.django_db
def test_invalid_value_sends_nothing_and_records_nothing(toy_integration, toy_simulator):
    with pytest.raises(ControlValueError, match="between 0 and 100"):
        dispatch_control("toy:hall", 101, requested_by="test")
    assert not ControllerHistory.objects.exists()
    assert not any(method == "POST" for method, _ in toy_simulator.request_log)


@pytest.mark.django_db
def test_requester_is_required(toy_integration):
    with pytest.raises(ValueError, match="requested_by"):
        dispatch_control("toy:kitchen", "on", requested_by=" ")


@pytest.mark.django_db
def test_value_already_current_is_confirmed_at_once(toy_integration):
    EntityState.objects.filter(entity__integration_name="kitchen").update(value="on")
    record = dispatch_control("toy:kitchen", "on", requested_by="cli:alice")
    assert record.outcome == ControlOutcome.CONFIRMED and record.requested_by == "cli:alice"


@pytest.mark.django_db
def test_unreachable_system_is_a_failed_outcome_with_the_reason(toy_integration, toy_simulator):
    toy_simulator.run_coroutine(toy_simulator.stop())
    record = dispatch_control("toy:kitchen", "on", requested_by="test")
    assert record.outcome == ControlOutcome.FAILED and "cannot reach" in record.message
    assert record.latency_ms is not None


@pytest.mark.django_db
def test_expiry_only_touches_old_sent_requests(toy_integration):
    controller = Controller.objects.get(integration_name="kitchen")
    now = timezone.now()
    old = ControllerHistory.objects.create(controller=controller, requested_value="on", requested_by="t",
                                           requested_at=now - dt.timedelta(minutes=5), outcome=ControlOutcome.SENT)
    fresh = ControllerHistory.objects.create(controller=controller, requested_value="on", requested_by="t",
                                             requested_at=now, outcome=ControlOutcome.SENT)
    stuck = ControllerHistory.objects.create(controller=controller, requested_value="on", requested_by="t",
                                             requested_at=now - dt.timedelta(minutes=5),
                                             outcome=ControlOutcome.PENDING)
    assert expire_unconfirmed(timeout_seconds=60, now=now) == 1
    for record in (old, fresh, stuck):
        record.refresh_from_db()
    assert (old.outcome, fresh.outcome, stuck.outcome) == (
        ControlOutcome.UNCONFIRMED, ControlOutcome.SENT, ControlOutcome.FAILED)
    assert "interrupted" in stuck.message
