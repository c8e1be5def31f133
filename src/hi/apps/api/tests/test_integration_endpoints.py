"""An integration's whole lifecycle over the REST API; bad input is refused and changes nothing."""

from __future__ import annotations

import pytest

from hi.apps.entity.models import Entity
from hi.integrations.models import Integration

from .factories import LAMPS_ID

pytestmark = [pytest.mark.django_db, pytest.mark.urls("hi.apps.api.tests.urls")]

URL = f"/api/v1/integrations/{LAMPS_ID}"
GOOD = {"values": {"base_url": "http://127.0.0.1:9", "api_token": "sekrit-token-123", "lamps": 3}}


def post(api, path, payload=None):
    return api.post(path, payload or {}, content_type="application/json")


def test_configure_saves_and_never_echoes_the_secret(api, lamp_gateway):
    response = post(api, f"{URL}/configure", GOOD)
    assert response.status_code == 200, response.content
    assert "sekrit-token-123" not in response.content.decode()
    detail = api.get(URL).json()
    assert detail["status"] == "configured"
    assert detail["attributes"] == {"base_url": "http://127.0.0.1:9", "api_token": "set", "lamps": "3"}
    assert {spec["key"] for spec in detail["attribute_specs"]} == {"base_url", "api_token", "lamps"}


@pytest.mark.parametrize(("values", "field"), [
    ({"base_url": "not a url", "api_token": "x"}, "base_url"),
    ({"base_url": "http://127.0.0.1:9"}, "api_token"),
    ({"base_url": "http://127.0.0.1:9", "api_token": "x", "colour": "red"}, "colour"),
    ({"base_url": "http://127.0.0.1:9", "api_token": "x", "lamps": "-1"}, "lamps"),
])
def test_bad_settings_get_field_errors_and_save_nothing(api, lamp_gateway, values, field):
    response = post(api, f"{URL}/configure", {"values": values})
    assert response.status_code == 400
    assert field in response.json()["field_errors"]
    assert not Integration.objects.filter(integration_id=LAMPS_ID).exists()


def test_a_failed_connection_test_is_a_400_in_words_and_saves_nothing(api, lamp_gateway):
    response = post(api, f"{URL}/configure", {"values": {"base_url": "http://unreachable.invalid", "api_token": "x"}})
    assert response.status_code == 400
    assert "nothing answers at that address" in response.json()["detail"]
    assert not Integration.objects.filter(integration_id=LAMPS_ID).exists()


def test_malformed_payloads_are_422(api, lamp_gateway):
    assert post(api, f"{URL}/configure", {"values": "base_url=x"}).status_code == 422
    assert post(api, f"{URL}/disable", {"mode": "everything"}).status_code == 422


def test_unknown_integrations_are_404(api):
    assert api.get("/api/v1/integrations/nope").status_code == 404
    assert post(api, "/api/v1/integrations/nope/enable").json()["detail"].startswith("unknown integration 'nope'")


def test_enable_before_configure_is_a_clear_400(api, lamp_gateway):
    response = post(api, f"{URL}/enable")
    assert response.status_code == 400
    assert "configure it first" in response.json()["detail"]


def test_the_whole_lifecycle(api, lamp_gateway):
    assert post(api, f"{URL}/configure", GOOD).status_code == 200
    assert post(api, f"{URL}/enable").json()["integration"]["status"] == "active"

    dry = post(api, f"{URL}/sync", {"dry_run": True}).json()
    assert dry["counts"]["create"] == 3 and dry["dry_run"] is True
    assert not Entity.objects.exists()
    real = post(api, f"{URL}/sync").json()
    assert real["applied"] is True and Entity.objects.count() == 3
    assert post(api, f"{URL}/sync").json()["counts"]["create"] == 0  # a second sync changes nothing

    assert post(api, f"{URL}/pause").json()["integration"]["status"] == "paused"
    assert post(api, f"{URL}/resume").json()["integration"]["status"] == "active"

    preview = api.get(f"{URL}/disable?mode=all").json()
    assert preview["remove"] == 3 and Entity.objects.count() == 3
    disabled = post(api, f"{URL}/disable", {"mode": "all"}).json()
    assert disabled["integration"]["status"] == "disabled"
    assert not Entity.objects.exists()
    assert api.get(f"{URL}/health").json()["health_status"] == "disabled"


def test_integration_list_includes_configured_ones_with_health(api, lamp_gateway):
    post(api, f"{URL}/configure", GOOD)
    rows = {row["integration_id"]: row for row in api.get("/api/v1/integrations").json()}
    assert rows[LAMPS_ID]["status"] == "configured"
    assert rows[LAMPS_ID]["label"] == "Test lamps"
    assert set(rows[LAMPS_ID]["health"]) >= {"status", "message", "consecutive_failures"}
