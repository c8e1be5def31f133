"""Availability and staleness of states, from the integrations' lifecycle and health (one query for any N)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hi.apps.entity.availability import AvailabilityIndex
from hi.apps.entity.models import Entity, EntityState
from hi.integrations.enums import HealthStatus, IntegrationStatus
from hi.integrations.models import Integration

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 20, 2, tzinfo=dt.UTC)


def _state(integration_id: str | None = "toyish", value: object = "on", detached_key: str = "") -> EntityState:
    number = Entity.objects.count()
    entity = Entity.objects.create(name="Lamp", entity_type="light", integration_id=integration_id,
                                   integration_name=f"lamp.{number}" if integration_id else None,
                                   detached_key=detached_key)
    return EntityState.objects.create(entity=entity, state_key="on_off", name="Power", state_type="on_off",
                                      value=value)


def _integration(**fields: object) -> Integration:
    defaults = {"status": IntegrationStatus.ACTIVE, "health_status": HealthStatus.HEALTHY,
                "last_success_at": NOW - dt.timedelta(seconds=5), "heartbeat_at": NOW - dt.timedelta(seconds=5)}
    return Integration.objects.create(integration_id="toyish", **{**defaults, **fields})


def _of(state: EntityState):
    return AvailabilityIndex(now=NOW).of_state(state.entity, state)


def test_a_healthy_recently_confirmed_integration_makes_its_states_current():
    _integration()
    availability = _of(_state())
    assert availability.available and not availability.stale and availability.reason == ""


@pytest.mark.parametrize(("status", "words"), [
    (IntegrationStatus.PAUSED, "is paused"), (IntegrationStatus.DISABLED, "is disabled"),
    (IntegrationStatus.NOT_CONFIGURED, "is not set up"),
])
def test_a_stopped_integration_makes_its_states_unavailable(status, words):
    _integration(status=status)
    availability = _of(_state())
    assert not availability.available and words in availability.reason


def test_an_integration_in_error_says_since_when_in_local_time():
    _integration(health_status=HealthStatus.ERROR, last_success_at=NOW - dt.timedelta(minutes=3))
    with timezone.override("America/Chicago"):
        availability = _of(_state())
    assert not availability.available
    assert availability.reason == "toyish is unreachable since 13:59"  # 19:59 UTC in Chicago (UTC-6)


def test_refused_credentials_are_named_as_such():
    _integration(health_status=HealthStatus.ERROR, health_message="401 — needs new credentials")
    assert "needs new credentials" in _of(_state()).reason


def test_values_unconfirmed_beyond_the_expected_cycle_are_stale_but_still_shown():
    old = NOW - dt.timedelta(minutes=10)
    _integration(health_status=HealthStatus.WARNING, last_success_at=old, heartbeat_at=NOW)
    availability = _of(_state())
    assert availability.available and availability.stale
    assert availability.reason.startswith("not confirmed by toyish since")


def test_the_source_saying_unavailable_makes_one_state_unavailable():
    _integration()
    assert not _of(_state(value="unavailable")).available
    assert _of(_state(value="unknown")).reason == "toyish does not know its value"


def test_detached_and_hand_made_entities():
    detached = _of(_state(integration_id=None, detached_key="toyish:lamp.9"))
    assert not detached.available and "no longer reports it" in detached.reason
    manual = _of(_state(integration_id=None))
    assert manual.available and not manual.stale


def test_one_query_for_any_number_of_states(django_assert_num_queries):
    _integration()
    states = [_state() for _ in range(5)]
    for state in states:
        state.entity  # noqa: B018 - loaded before counting
    index = AvailabilityIndex(now=NOW)
    with django_assert_num_queries(1):
        assert all(index.of_state(s.entity, s).available for s in states)
