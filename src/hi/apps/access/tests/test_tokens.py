"""Finding 3 (tokens): names trimmed and unique per user, listed and revoked (API, CLI, page), expiring, and refused
once their user is inactive — each reproduced as reported."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from hi.apps.access.models import ApiToken
from hi.apps.access.testing import make_user
from hi.apps.access.users import disable_user
from hi.apps.api.tests.factories import make_light

pytestmark = [pytest.mark.django_db, pytest.mark.urls("hi.urls")]

JSON = "application/json"


def bearer(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def admin_api() -> Client:
    client = Client()
    client.defaults.update(bearer(ApiToken.issue("admin-script", user=make_user("root", role="admin"))[1]))
    return client


def test_a_blank_name_is_refused_and_names_are_trimmed():
    api = admin_api()
    blank = api.post("/api/v1/tokens", {"name": "   "}, content_type=JSON)
    assert blank.status_code == 400 and "empty" in blank.json()["detail"]
    made = api.post("/api/v1/tokens", {"name": "  backup  "}, content_type=JSON)
    assert made.status_code == 201 and made.json()["name"] == "backup"
    assert api.post("/api/v1/tokens", {"name": "backup"}, content_type=JSON).status_code == 400  # unique per user
    assert api.post("/api/v1/tokens", {"name": "12"}, content_type=JSON).status_code == 400  # ids are numbers
    assert api.delete("/api/v1/tokens/backup").status_code == 204


def test_names_are_unique_per_user_not_globally_and_revoked_by_id_or_name():
    alice, bob = make_user("alice", role="member"), make_user("bob", role="member")
    mine, _ = ApiToken.issue("backup", user=alice)
    theirs, _ = ApiToken.issue("backup", user=bob)
    api = admin_api()
    ambiguous = api.delete("/api/v1/tokens/backup")
    assert ambiguous.status_code == 400 and "by id" in ambiguous.json()["detail"]
    assert api.delete(f"/api/v1/tokens/{theirs.id}").status_code == 204
    member = Client()
    member.force_login(alice)
    assert [t["name"] for t in member.get("/api/v1/tokens").json()] == ["backup"]  # only their own
    assert member.delete("/api/v1/tokens/backup").status_code == 204
    assert not ApiToken.objects.filter(pk=mine.pk).exists()


def test_a_token_of_a_disabled_user_is_refused_everywhere(switch_gateway):
    light = make_light()
    user = make_user("carol", role="member")
    _, plain = ApiToken.issue("script", user=user)
    body = {"key": str(light.controller.integration_key), "value": "on"}
    assert Client().post("/api/v1/control", body, content_type=JSON, **bearer(plain)).status_code == 200
    disable_user("carol")
    assert Client().get("/api/v1/entities", **bearer(plain)).status_code == 401
    assert Client().post("/api/v1/control", body, content_type=JSON, **bearer(plain)).status_code == 401
    assert Client().get("/api/v1/stream", **bearer(plain)).status_code == 401


def test_an_expired_token_is_refused():
    token, plain = ApiToken.issue("short", user=make_user("root", role="admin"), expires_days=1)
    assert token.expires_at > timezone.now()
    assert Client().get("/api/v1/health", **bearer(plain)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get("/api/v1/health", **bearer(plain)).status_code == 401


def test_the_tokens_page_lists_creates_once_and_revokes():
    alice = make_user("alice", role="viewer")
    ApiToken.issue("someone-elses", user=make_user("root", role="admin"))
    page = Client()
    page.force_login(alice)
    created = page.post("/tokens/", {"name": " dashboard ", "scope": "read", "expires_days": "30"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    html = created.content.decode()
    token = ApiToken.objects.get(user=alice)
    assert token.name == "dashboard" and token.scope == "read" and 'id="token-value">hi_' in html
    assert "someone-elses" not in html  # a person sees their own tokens
    assert 'id="token-value"' not in page.get("/tokens/").content.decode()  # the value is shown once
    assert page.post("/tokens/", {"name": "wide", "scope": "admin"}).status_code == 400  # wider than a viewer
    assert page.post(f"/tokens/{token.id}/revoke").status_code == 302
    assert not ApiToken.objects.filter(user=alice).exists()


def test_an_admin_sees_everyones_tokens_on_the_page():
    ApiToken.issue("bobs", user=make_user("bob", role="member"))
    page = Client()
    page.force_login(make_user("root", role="admin"))
    html = page.get("/tokens/").content.decode()
    assert "bobs" in html and ">bob<" in html


def test_cli_tokens_create_list_revoke(capsys):
    from hi.cli.main import main

    make_user("root", role="admin")
    make_user("bob", role="member")
    assert main(["tokens", "create", "  nightly ", "--user", "bob", "--expires", "7", "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["name"] == "nightly" and created["user"] == "bob" and created["scope"] == "control"
    assert created["token"].startswith("hi_") and created["expires_at"]
    assert main(["tokens", "create", "   "]) == 1 and "empty" in capsys.readouterr().err
    assert main(["tokens", "create", "x", "--user", "bob", "--scope", "admin"]) == 1
    assert "wider than" in capsys.readouterr().err
    assert main(["tokens", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(t["name"], t["user"]) for t in listed] == [("nightly", "bob")] and "token" not in listed[0]
    assert main(["tokens", "revoke", str(created["id"]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "nightly"
    assert main(["tokens", "revoke", "nightly"]) == 1 and "no token named" in capsys.readouterr().err
