"""Finding 3, streams: an open SSE stream ends within seconds of its token being revoked, its user disabled, or its
session logging out — on a real server (uvicorn on loopback), with the revocation done from outside the stream."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from django.test import Client

from hi.apps.access.models import ApiToken
from hi.apps.access.testing import make_user
from hi.apps.access.users import disable_user, set_password
from hi.http.testing import serving

pytestmark = pytest.mark.django_db(transaction=True)

RECHECK = 0.5


@pytest.fixture
def server_url(settings) -> Iterator[str]:
    """The whole hub (hi.urls) served by uvicorn on a free loopback port, streams re-checking every 0.5 s."""
    from django.core.asgi import get_asgi_application

    settings.HI_STREAM_RECHECK_SECONDS = RECHECK
    with serving(get_asgi_application()) as (host, port):
        yield f"http://{host}:{port}"


def ends_after(response: httpx.Response, revoke: Callable[[], None]) -> tuple[float, list[str]]:
    """Revoke once the stream is open; return how long it then took to end, and what it sent meanwhile."""
    lines = response.iter_lines()
    for line in lines:
        if line == ": connected":
            break
    revoke()
    started = time.monotonic()
    rest = list(lines)  # until the server ends the stream (httpx's read timeout bounds a hang)
    return time.monotonic() - started, rest


def test_a_revoked_token_ends_an_open_api_stream(server_url):
    token, plain = ApiToken.issue("stream", user=make_user("root", role="admin"))
    with httpx.Client(timeout=10) as client, client.stream(
            "GET", f"{server_url}/api/v1/stream?keepalive=0.5", headers={"Authorization": f"Bearer {plain}"}) as r:
        assert r.status_code == 200
        took, rest = ends_after(r, lambda: ApiToken.objects.filter(pk=token.pk).delete())
    assert "event: unauthorized" in rest
    assert took < RECHECK + 3


def test_disabling_the_user_ends_their_token_stream(server_url):
    _, plain = ApiToken.issue("stream", user=make_user("carol", role="member"))
    with httpx.Client(timeout=10) as client, client.stream(
            "GET", f"{server_url}/api/v1/stream?keepalive=0.5", headers={"Authorization": f"Bearer {plain}"}) as r:
        took, rest = ends_after(r, lambda: disable_user("carol"))
    assert "event: unauthorized" in rest and took < RECHECK + 3


def test_logging_out_ends_the_page_stream(server_url):
    browser = Client()
    browser.force_login(make_user("alice", role="viewer"))
    cookie = browser.cookies["sessionid"].value
    with httpx.Client(timeout=10, cookies={"sessionid": cookie}) as client, client.stream(
            "GET", f"{server_url}/live/stream") as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        took, rest = ends_after(r, browser.logout)  # what /logout/ does: the session is flushed
    assert "event: unauthorized" in rest and took < RECHECK + 3


def test_a_new_password_ends_the_page_streams_of_the_persons_other_sessions(server_url):
    other = Client()
    other.force_login(make_user("dana", role="member"))
    cookie = other.cookies["sessionid"].value
    with httpx.Client(timeout=10, cookies={"sessionid": cookie}) as client, client.stream(
            "GET", f"{server_url}/live/stream") as r:
        assert r.status_code == 200
        took, rest = ends_after(r, lambda: set_password("dana", "a brand new passphrase"))
    assert "event: unauthorized" in rest and took < RECHECK + 3
