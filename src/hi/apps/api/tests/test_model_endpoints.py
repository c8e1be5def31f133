"""Entities, history, events and control over the REST API, in the JSON shapes DESIGN.md fixes."""

from __future__ import annotations

import datetime as dt

import pytest

from hi.apps.control.models import ControllerHistory
from hi.apps.sense.models import SensorHistory

from .factories import make_event, make_light

pytestmark = [pytest.mark.django_db, pytest.mark.urls("hi.apps.api.tests.urls")]

ENTITY_KEYS = {"id", "name", "entity_type", "integration_key", "location", "states"}
STATE_KEYS = {"id", "name", "state_type", "value", "units", "updated_at", "available", "stale", "unavailable_reason",
              "sensors", "controllers"}
EVENT_KEYS = {"id", "entity_id", "state_id", "value", "start", "end", "duration_seconds", "details",
              "media"}


def test_entity_list_has_the_stable_shape_and_paginates(api):
    lights = [make_light(f"Light {i}", f"light.l{i}") for i in range(3)]
    page = api.get("/api/v1/entities?limit=2").json()
    assert page["count"] == 3 and page["limit"] == 2 and len(page["items"]) == 2
    entity = page["items"][0]
    assert set(entity) == ENTITY_KEYS
    assert set(entity["states"][0]) == STATE_KEYS
    assert entity["states"][0]["sensors"][0] == {"id": lights[0].sensor.id,
                                                 "integration_key": "test_switch:light.l0.state"}
    rest = api.get("/api/v1/entities?limit=2&offset=2").json()
    assert [e["name"] for e in rest["items"]] == ["Light 2"]


def test_entity_list_filters_by_integration_and_name(api):
    make_light("Porch", "light.porch")
    assert api.get("/api/v1/entities?integration=hass").json()["count"] == 0
    assert api.get("/api/v1/entities?integration=test_switch&q=porch").json()["count"] == 1


def test_entity_detail_by_id_or_key_with_current_values(api):
    light = make_light(value="on")
    by_key = api.get("/api/v1/entities/test_switch:light.kitchen").json()
    by_id = api.get(f"/api/v1/entities/{light.entity.id}").json()
    assert by_key == by_id
    assert by_key["states"][0]["value"] == "on"
    assert by_key["states"][0]["controllers"] == [{"id": light.controller.id,
                                                   "integration_key": "test_switch:light.kitchen"}]


@pytest.mark.parametrize(("ref", "status"), [("999999", 404), ("hass:light.nowhere", 404), ("nonsense", 400)])
def test_unknown_or_malformed_entity_references_are_clear_errors(api, ref, status):
    response = api.get(f"/api/v1/entities/{ref}")
    assert response.status_code == status
    assert ref.split(":")[-1] in response.json()["detail"] or "integration key" in response.json()["detail"]


def test_state_history_newest_first(api):
    light = make_light()
    base = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    for i, value in enumerate(["on", "off", "on"]):
        SensorHistory.objects.create(sensor=light.sensor, value=value, response_at=base + dt.timedelta(minutes=i))
    page = api.get(f"/api/v1/states/{light.state.id}/history").json()
    assert page["count"] == 3
    assert [row["value"] for row in page["items"]] == ["on", "off", "on"]
    assert page["items"][0]["response_at"].startswith("2026-03-01T00:02")
    assert api.get("/api/v1/states/999999/history").status_code == 404


def test_events_filter_by_entity_and_time_in_the_stable_shape(api):
    light, other = make_light(), make_light("Hall", "light.hall")
    early, late = dt.datetime(2026, 2, 1, tzinfo=dt.UTC), dt.datetime(2026, 2, 10, tzinfo=dt.UTC)
    make_event(light, early)
    newest = make_event(light, late, seconds=None)
    make_event(other, late)
    data = api.get("/api/v1/events?entity=test_switch:light.kitchen&since=2026-02-05").json()
    assert data["count"] == 1
    event = data["items"][0]
    assert set(event) == EVENT_KEYS
    assert event["id"] == newest.id and event["end"] is None and event["duration_seconds"] is None
    assert api.get("/api/v1/events?until=2026-02-02T00:00:00Z").json()["count"] == 1
    assert api.get("/api/v1/events?type=on_off").json()["count"] == 3


def test_a_bad_event_date_is_a_400_that_says_what_is_wrong(api):
    response = api.get("/api/v1/events?since=last-tuesday")
    assert response.status_code == 400
    assert "ISO 8601" in response.json()["detail"]


def test_pagination_limits_are_validated(api):
    assert api.get("/api/v1/entities?limit=0").status_code == 422
    assert api.get("/api/v1/events?offset=-1").status_code == 422


def test_control_sends_through_the_gateway_and_records_the_request(api, switch_gateway):
    make_light()
    response = api.post("/api/v1/control", {"key": "test_switch:light.kitchen", "value": "ON"},
                        content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["outcome"] == "sent" and body["requested_value"] == "on"
    assert body["requested_by"] == "api-token:tests"
    assert switch_gateway.controller.requests == [("test_switch:light.kitchen", "on")]


@pytest.mark.parametrize(("payload", "status"), [
    ({"key": "test_switch:light.kitchen", "value": "purple"}, 400),
    ({"key": "test_switch:light.nowhere", "value": "on"}, 404),
    ({"key": "test_switch:light.kitchen"}, 422),
    ({"value": "on"}, 422),
])
def test_bad_control_requests_are_refused_and_change_nothing(api, switch_gateway, payload, status):
    make_light()
    response = api.post("/api/v1/control", payload, content_type="application/json")
    assert response.status_code == status
    assert response.json()["detail"]
    assert not ControllerHistory.objects.exists()
    assert switch_gateway.controller.requests == []


def test_control_of_a_detached_controller_by_its_old_key_says_it_is_detached(api, switch_gateway):
    light = make_light()
    light.controller.detach()
    light.controller.save()
    response = api.post("/api/v1/control", {"key": "test_switch:light.kitchen", "value": "on"},
                        content_type="application/json")
    assert response.status_code == 400
    assert "detached" in response.json()["detail"]
    assert not ControllerHistory.objects.exists()
    assert switch_gateway.controller.requests == []


def test_tokens_can_be_created_listed_and_revoked_and_values_are_never_listed(api):
    created = api.post("/api/v1/tokens", {"name": "backup-script"}, content_type="application/json")
    assert created.status_code == 201
    plain = created.json()["token"]
    listed = api.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "backup-script"}
    assert plain not in str(listed)
    assert api.post("/api/v1/tokens", {"name": "backup-script"}, content_type="application/json").status_code == 400
    assert api.post("/api/v1/tokens", {"name": ""}, content_type="application/json").status_code == 400  # empty after trimming: hi.apps.access.models.clean_token_name
    assert api.delete("/api/v1/tokens/backup-script").status_code == 204
    assert api.get("/api/v1/entities", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401


def test_health_lists_integrations_and_the_worker(api):
    make_light()
    data = api.get("/api/v1/health").json()
    assert data["worker"]["running"] is False
    by_id = {h["integration_id"]: h for h in data["integrations"]}
    assert by_id["test_switch"]["status"] == "active"
    assert {"health_status", "message", "consecutive_failures", "last_success_at"} <= set(by_id["test_switch"])


def test_the_entity_list_uses_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    for i in range(30):
        make_light(f"Light {i:02}", f"light.n{i}")
    with django_assert_max_num_queries(10):  # auth, count, entities, states, sensors, controllers, places, integrations
        page = api.get("/api/v1/entities?limit=1000").json()
    assert page["count"] == 30
