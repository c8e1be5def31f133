"""The API requires a token or a session, except the public health probe."""

from __future__ import annotations

import pytest

from hi.apps.access.testing import make_user, token_owner
from hi.apps.api.models import ApiToken, hash_token

pytestmark = [pytest.mark.django_db, pytest.mark.urls("hi.apps.api.tests.urls")]


def test_health_probe_is_public_and_says_only_ok(client):
    response = client.get("/api/v1/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/api/v1/entities", "/api/v1/events", "/api/v1/health",
                                  "/api/v1/integrations", "/api/v1/tokens", "/api/v1/stream"])
def test_unauthenticated_calls_get_401_json_not_a_login_redirect(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_a_wrong_token_is_refused(client):
    ApiToken.issue("script", user=token_owner())
    response = client.get("/api/v1/entities", HTTP_AUTHORIZATION="Bearer hi_not-the-token")
    assert response.status_code == 401


def test_a_token_is_stored_only_as_a_digest_and_authenticates(client):
    token, plain = ApiToken.issue("script", user=token_owner())
    assert plain not in (token.digest, token.hint) and token.digest == hash_token(plain)
    response = client.get("/api/v1/entities", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_session_login_works_and_unsafe_methods_need_csrf(settings):
    from django.test import Client

    settings.CSRF_FAILURE_VIEW = "hi.apps.api.tests.urls.csrf_failure"
    user = make_user("alice", password="a-long-password")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get("/api/v1/tokens").status_code == 200
    refused = browser.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "CSRF check Failed"}
    assert not ApiToken.objects.exists()
    secret = "s" * 32  # what a UI page's CSRF cookie holds; the page's script echoes it as a header
    browser.cookies["csrftoken"] = secret
    accepted = browser.post("/api/v1/tokens", {"name": "x"}, content_type="application/json",
                            HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 201


def test_openapi_document_and_docs_page_need_login(client):
    assert client.get("/api/v1/openapi.json").status_code == 401
    assert client.get("/api/v1/docs").status_code in (302, 401)  # to the login page once the UI has one
    _, plain = ApiToken.issue("docs", user=token_owner())
    assert client.get("/api/v1/docs", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200
    document = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert document.status_code == 200
    paths = document.json()["paths"]
    for expected in ("/api/v1/entities", "/api/v1/events", "/api/v1/control", "/api/v1/health",
                     "/api/v1/integrations/{integration_id}/configure"):
        assert expected in paths


def test_the_api_docs_describe_the_live_streams_events(client):
    _, plain = ApiToken.issue("docs", user=token_owner())
    description = client.get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {plain}").json()["info"]["description"]
    assert "/api/v1/stream" in description
    for event in ("`state`", "`health`", "`alert`", "`resync`", "unavailable_reason"):
        assert event in description
