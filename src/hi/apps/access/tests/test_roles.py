"""Finding 2 (no roles) and item 12 (401, not a CSRF 403): each reproduced as it was reported, now refused."""

from __future__ import annotations

import pytest
from django.test import Client

from hi.apps.access.models import ApiToken
from hi.apps.access.testing import make_user
from hi.apps.access.users import set_role
from hi.apps.api.tests.factories import make_light
from hi.apps.control.models import ControllerHistory
from hi.integrations.models import Integration

pytestmark = [pytest.mark.django_db, pytest.mark.urls("hi.urls")]

JSON = "application/json"


def bearer(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_cannot_revoke_an_admins_token_nor_pause_integrations():
    admin = make_user("root", role="admin")
    ApiToken.issue("admins-token", user=admin)
    member = session(make_user("bob", role="member"))
    assert member.delete("/api/v1/tokens/admins-token").status_code == 404  # not even visible
    assert ApiToken.objects.filter(name="admins-token").exists()
    Integration.objects.create(integration_id="hass", status="active")
    assert member.post("/api/v1/integrations/hass/pause").status_code == 403
    assert member.post("/integrations/hass/lifecycle/pause").status_code == 403
    assert Integration.objects.get(integration_id="hass").status == "active"


def test_a_read_token_can_neither_create_tokens_nor_configure_integrations():
    _, plain = ApiToken.issue("reader", user=make_user("root", role="admin"), scope="read")
    assert Client().get("/api/v1/entities", **bearer(plain)).status_code == 200
    made = Client().post("/api/v1/tokens", {"name": "wider"}, content_type=JSON, **bearer(plain))
    assert made.status_code == 403 and "admin" in made.json()["detail"]
    configured = Client().post("/api/v1/integrations/hass/configure", {"values": {}}, content_type=JSON,
                               **bearer(plain))
    assert configured.status_code == 403
    assert ApiToken.objects.count() == 1


def test_control_needs_a_member_or_a_control_token(switch_gateway):
    light = make_light()
    body = {"key": str(light.controller.integration_key), "value": "on"}
    viewer = session(make_user("vic", role="viewer"))
    assert viewer.get("/api/v1/entities").status_code == 200
    refused = viewer.post("/api/v1/control", body, content_type=JSON)
    assert refused.status_code == 403 and "viewer" in refused.json()["detail"]
    assert viewer.post(f"/controllers/{light.controller.id}/control", {"value": "on"}).status_code == 403
    assert not ControllerHistory.objects.exists()
    _, control = ApiToken.issue("ctl", user=make_user("root", role="admin"), scope="control")
    assert Client().post("/api/v1/control", body, content_type=JSON, **bearer(control)).status_code == 200
    assert Client().post("/api/v1/locations", {"name": "Attic"}, content_type=JSON,
                         **bearer(control)).status_code == 403


def test_a_token_acts_with_the_narrower_of_scope_and_role():
    make_user("root", role="admin")  # dana is not the last admin, so she may be demoted
    user = make_user("dana", role="admin")
    _, plain = ApiToken.issue("wide", user=user, scope="admin")
    assert Client().post("/api/v1/locations", {"name": "Attic"}, content_type=JSON, **bearer(plain)).status_code == 201
    set_role("dana", "viewer")
    assert Client().post("/api/v1/locations", {"name": "Cellar"}, content_type=JSON,
                         **bearer(plain)).status_code == 403
    assert Client().get("/api/v1/locations", **bearer(plain)).status_code == 200


def test_a_scope_wider_than_the_role_is_refused():
    member = session(make_user("bob", role="member"))
    member.cookies["csrftoken"] = "c" * 32
    wide = member.post("/api/v1/tokens", {"name": "x", "scope": "admin"}, content_type=JSON, HTTP_X_CSRFTOKEN="c" * 32)
    assert wide.status_code == 400 and "wider than" in wide.json()["detail"]
    ok = member.post("/api/v1/tokens", {"name": "x"}, content_type=JSON)
    assert ok.status_code == 201 and ok.json()["scope"] == "control"


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/api/v1/control"), ("post", "/api/v1/tokens"), ("put", "/api/v1/mode"),
    ("delete", "/api/v1/tokens/anything"), ("post", "/api/v1/integrations/hass/pause"),
])
def test_unauthenticated_writes_get_401_not_a_csrf_403(method, path):
    response = getattr(Client(enforce_csrf_checks=True), method)(path, {}, content_type=JSON)
    assert response.status_code == 401 and response.json() == {"detail": "Unauthorized"}


def test_a_wrong_token_with_a_valid_session_is_still_401():
    client = session(make_user("root", role="admin"))
    assert client.get("/api/v1/entities", HTTP_AUTHORIZATION="Bearer hi_wrong").status_code == 401


def test_the_ui_hides_what_a_role_cannot_do():
    make_light()
    viewer = session(make_user("vic", role="viewer")).get("/").content.decode()
    admin = session(make_user("root", role="admin")).get("/").content.decode()
    assert 'href="/integrations/"' in admin and 'href="/integrations/"' not in viewer
    assert 'href="/tokens/"' in viewer  # everyone manages their own tokens


def test_entity_page_and_header_show_only_what_the_role_can_do(switch_gateway):
    light = make_light()
    url = f"/entities/{light.entity.id}/"
    viewer = session(make_user("vic", role="viewer")).get(url).content.decode()
    member = session(make_user("bob", role="member")).get(url).content.decode()
    admin = session(make_user("root", role="admin")).get(url).content.decode()
    control = f'/controllers/{light.controller.id}/control'
    assert control not in viewer and control in member and control in admin
    assert 'id="mode-switch"' in member and 'id="mode-readonly"' in viewer
    assert 'action="/entities/' in admin and "/rename" in admin
    assert "/rename" not in member and 'id="attribute-add"' not in member and 'id="attribute-add"' in admin
    settings_page = session(make_user("val", role="viewer")).get("/settings/").content.decode()
    assert "Only an admin can change these settings." in settings_page
