"""Out-of-range parameters are the caller's mistake (400/422 naming the field), never a 500."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db

HUGE = "9" * 23  # beyond any 64-bit id


@pytest.mark.parametrize(("url", "field"), [
    ("/api/v1/entities?offset=" + "1" + "0" * 30, "offset"),
    ("/api/v1/entities?limit=" + HUGE, "limit"),
    ("/api/v1/events?since=9999-12-31T23:59:59-23:59", "since"),
    ("/api/v1/events?until=0001-01-01T00:00:00%2B23:59", "until"),
    ("/api/v1/events?entity=" + HUGE, "entity"),
    ("/api/v1/entities/" + HUGE, "key_or_id"),
    ("/api/v1/alerts/" + HUGE, "alert_id"),
    ("/api/v1/rules/" + HUGE, "rule_id"),
    ("/api/v1/locations/" + HUGE, "location_id"),
])
def test_api_refuses_out_of_range_parameters_naming_them(api, url, field):
    answer = api.get(url)
    assert answer.status_code in {400, 404, 422}, answer.content
    if answer.status_code != 404:
        assert field in json.dumps(answer.json())


def test_a_short_control_key_is_not_a_validation_error(api):
    # "49" is a valid numeric controller id; min_length=3 used to refuse it with 422
    answer = api.post("/api/v1/control", {"key": "49", "value": "on"}, content_type="application/json")
    assert answer.status_code == 404
    assert "49" in answer.json()["detail"]


@pytest.mark.parametrize("body", [
    {"mode": "away", "for_minutes": 10**30},
    {"snooze_minutes": 10**30},
    {"exit_delay_seconds": 10**30},
])
def test_mode_durations_are_range_checked(api, body):
    answer = api.put("/api/v1/mode", body, content_type="application/json")
    assert answer.status_code in {400, 422}, answer.content
    assert next(iter(body.keys() - {"mode"})) in json.dumps(answer.json())


@pytest.mark.parametrize("raw", ['{"key": "x:y", "value": NaN}', '{"key": "x:y", "value": Infinity}',
                                 '{"key": "x:y", "value": 1e400}'])
def test_json_bodies_with_non_finite_numbers_are_refused(api, raw):
    answer = api.post("/api/v1/control", raw, content_type="application/json")
    assert answer.status_code == 400
    assert "finite" in answer.json()["detail"]
