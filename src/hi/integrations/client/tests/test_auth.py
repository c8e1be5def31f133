"""Auth flows against the generic simulator: login once, refresh before expiry, one re-login on 401."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from hi.integrations import exceptions as exc
from hi.integrations.client import (
    AsyncHttpClient,
    FakeClock,
    HttpClient,
    Token,
    TokenLoginAuth,
    query_param,
)
from hi.simulator.generic import GenericSimulator


def login_auth(sim: GenericSimulator, clock: FakeClock, password: str | None = None, **options: Any
               ) -> TokenLoginAuth:
    def login(now: float) -> httpx.Request:
        return httpx.Request("POST", f"{sim.url}/login", data={"user": sim.username,
                                                               "pass": password or sim.password})

    def parse(response: httpx.Response, now: float) -> Token:
        body = response.json()
        return Token(body["access_token"], now + float(body["expires_in"]), body.get("refresh_token"),
                     now + 3 * float(body["expires_in"]))

    def refresh(token: Token, now: float) -> httpx.Request:
        return httpx.Request("POST", f"{sim.url}/refresh", data={"token": token.refresh_token})

    return TokenLoginAuth(login=login, parse=parse, refresh=refresh, clock=clock, **options)


def client(sim: GenericSimulator, auth: httpx.Auth, clock: FakeClock, cls: type = HttpClient) -> Any:
    return cls(sim.url, integration_id="auth", auth=auth, clock=clock)


def test_logs_in_once_and_reuses_the_token(sim: GenericSimulator, clock: FakeClock) -> None:
    auth = login_auth(sim, clock)
    with client(sim, auth, clock) as http:
        for _ in range(3):
            assert http.get_json("/secure/items")["items"]
    assert sim.logins == 1 and auth.logins == 1


def test_refreshes_proactively_before_expiry(sim: GenericSimulator, clock: FakeClock) -> None:
    sim.token_lifetime = 100
    auth = login_auth(sim, clock, refresh_margin=10)
    with client(sim, auth, clock) as http:
        http.get_json("/secure/items")
        clock.advance(91)
        requests_before = len(sim.request_log)
        http.get_json("/secure/items")
    assert auth.refreshes == 1 and sim.logins == 1
    assert [path for _, path in sim.request_log[requests_before:]] == ["/refresh", "/secure/items"], \
        "refreshed before sending, so the request never met a 401"


def test_revoked_token_means_one_relogin_and_one_retry(sim: GenericSimulator, clock: FakeClock) -> None:
    auth = login_auth(sim, clock)
    with client(sim, auth, clock) as http:
        http.get_json("/secure/items")
        sim.revoke_tokens()
        assert http.get_json("/secure/items")["items"]
    assert auth.logins == 2


def test_persistent_401_gives_up_after_one_relogin(sim: GenericSimulator, clock: FakeClock) -> None:
    auth = login_auth(sim, clock)
    sim.faults.set("unauthorized", paths=["/secure"])
    with client(sim, auth, clock) as http, pytest.raises(exc.AuthenticationError) as raised:
        http.get_json("/secure/items")
    assert auth.logins == 2 and raised.value.permanent
    assert [path for _, path in sim.request_log].count("/secure/items") == 2


def test_refused_login_is_a_permanent_authentication_error(sim: GenericSimulator, clock: FakeClock) -> None:
    auth = login_auth(sim, clock, password="wrong-password")
    with client(sim, auth, clock) as http, pytest.raises(exc.AuthenticationError):
        http.get_json("/secure/items")
    assert [path for _, path in sim.request_log] == ["/login"]


def test_token_in_query_is_never_logged(sim: GenericSimulator, clock: FakeClock,
                                        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    auth = login_auth(sim, clock, apply=query_param("token"))
    with client(sim, auth, clock) as http:
        http.get_json("/secure/items")
        sim.faults.set("error_burst", status=500, paths=["/secure"])
        with pytest.raises(exc.ServerError) as raised:
            http.get_json("/secure/items")
    assert auth.token is not None
    secret = auth.token.access_token
    assert any("token=" in record.getMessage() for record in caplog.records)
    assert secret not in caplog.text and secret not in str(raised.value)


async def test_async_client_relogs_in_on_401(asim: GenericSimulator, clock: FakeClock) -> None:
    auth = login_auth(asim, clock)
    async with client(asim, auth, clock, AsyncHttpClient) as http:
        await http.get_json("/secure/items")
        asim.revoke_tokens()
        assert (await http.get_json("/secure/items"))["items"]
    assert auth.logins == 2


async def test_concurrent_requests_share_one_login(asim: GenericSimulator, clock: FakeClock) -> None:
    import asyncio

    auth = login_auth(asim, clock)
    async with client(asim, auth, clock, AsyncHttpClient) as http:
        results = await asyncio.gather(*(http.get_json("/secure/items") for _ in range(10)))
        assert all(r["items"] for r in results)
        assert asim.logins == 1
        asim.revoke_tokens()
        await asyncio.gather(*(http.get_json("/secure/items") for _ in range(10)))
    assert asim.logins == 2, "a revoked token is replaced by one login, not one per request"


def test_concurrent_threads_share_one_login(sim: GenericSimulator, clock: FakeClock) -> None:
    from concurrent.futures import ThreadPoolExecutor

    auth = login_auth(sim, clock)
    with client(sim, auth, clock) as http, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: http.get_json("/secure/items"), range(16)))
    assert all(r["items"] for r in results) and sim.logins == 1
