"""Authentication for the HTTP clients, as ``httpx.Auth`` flows so one object serves sync and async.

- ``BearerAuth(token)`` — ``Authorization: Bearer <token>`` (Home Assistant).
- ``TokenLoginAuth(login=..., parse=..., apply=..., refresh=...)`` — a token obtained by logging in,
  refreshed proactively ``refresh_margin`` seconds before it expires, and on a 401 exactly one
  re-login followed by one retry of the request (ZoneMinder, HomeBox).

Every secret handled here is registered with ``hi.utils.redaction`` so it never reaches a log line.
A login refused with 401/403 raises ``AuthenticationError`` (permanent).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass

import httpx

from hi.integrations.exceptions import AuthenticationError
from hi.utils.clock import SYSTEM_CLOCK, Clock
from hi.utils.redaction import register_secret

logger = logging.getLogger("hi.integrations.client.auth")


class BearerAuth(httpx.Auth):
    """A fixed bearer token."""

    def __init__(self, token: str, scheme: str = "Bearer") -> None:
        register_secret(token)
        self._header = f"{scheme} {token}" if scheme else token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


@dataclass
class Token:
    """An access token and when it (and an optional refresh token) expire, in clock seconds."""

    access_token: str
    expires_at: float | None = None
    refresh_token: str | None = None
    refresh_expires_at: float | None = None

    def __post_init__(self) -> None:
        register_secret(self.access_token)
        register_secret(self.refresh_token)


def bearer_header(request: httpx.Request, token: str) -> None:
    """Default ``apply``: ``Authorization: Bearer <token>``."""
    request.headers["Authorization"] = f"Bearer {token}"


def query_param(name: str = "token") -> Callable[[httpx.Request, str], None]:
    """An ``apply`` that adds the token as a query parameter (ZoneMinder's ``?token=``)."""

    def apply(request: httpx.Request, token: str) -> None:
        request.url = request.url.copy_merge_params({name: token})

    return apply


def _check_login_response(response: httpx.Response, what: str) -> None:
    if response.status_code in (401, 403):
        raise AuthenticationError(f"{what} refused ({response.status_code})")
    if response.status_code >= 400:
        # Let the client's ordinary error mapping classify 5xx/429 etc. by raising via httpx.
        response.raise_for_status()


_READ_BODY = "hi_auth_read_body"


def _auth_request(request: httpx.Request) -> httpx.Request:
    """Mark a login/refresh request: only its response body is read inside the flow."""
    request.extensions = {**request.extensions, _READ_BODY: True}
    return request


class _Gate:
    """Markers a flow yields to enter/leave its critical section; the driver holds the lock between."""


ENTER, LEAVE = _Gate(), _Gate()
Step = Generator["httpx.Request | _Gate", "httpx.Response | None", None]


class _GatedAuth(httpx.Auth):
    """Drives an ``auth_flow`` that may yield ``ENTER``/``LEAVE``: a threading lock (sync) or an asyncio
    lock (async) is held in between, so concurrent requests obtain a token once, not once each.
    Response bodies are read only for the flow's own login requests, so the client can still stream
    (and size-cap) the body of the real request."""

    _sync_gate: threading.Lock
    _async_gate: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None

    def gated_flow(self, request: httpx.Request) -> Step:
        raise NotImplementedError

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self.gated_flow(request)
        held = False
        try:
            outgoing = next(flow)
            while True:
                if isinstance(outgoing, _Gate):
                    if outgoing is ENTER:
                        self._sync_gate.acquire()
                        held = True
                    elif held:
                        self._sync_gate.release()
                        held = False
                    outgoing = flow.send(None)
                    continue
                response = yield outgoing
                if outgoing.extensions.get(_READ_BODY):
                    response.read()
                outgoing = flow.send(response)
        except StopIteration:
            return
        finally:
            if held:
                self._sync_gate.release()

    def _loop_gate(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._async_gate is None or self._async_gate[0] is not loop:
            self._async_gate = (loop, asyncio.Lock())
        return self._async_gate[1]

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self.gated_flow(request)
        gate = self._loop_gate()
        held = False
        try:
            outgoing = next(flow)
            while True:
                if isinstance(outgoing, _Gate):
                    if outgoing is ENTER:
                        await gate.acquire()
                        held = True
                    elif held:
                        gate.release()
                        held = False
                    outgoing = flow.send(None)
                    continue
                response = yield outgoing
                if outgoing.extensions.get(_READ_BODY):
                    await response.aread()
                outgoing = flow.send(response)
        except StopIteration:
            return
        finally:
            if held:
                gate.release()


class TokenLoginAuth(_GatedAuth):
    """Log in to get a token; refresh before expiry; on 401 log in again once and retry once.

    ``login(now)`` builds the login request; ``parse(response, now)`` turns its response into a
    ``Token``; ``refresh(token, now)`` (optional) builds a refresh request from a still-valid refresh
    token; ``apply(request, access_token)`` puts the token on a request. ``now`` is the clock's reading,
    so ``parse`` can compute ``expires_at = now + expires_in``. Usage (ZoneMinder)::

        auth = TokenLoginAuth(
            login=lambda now: httpx.Request("POST", f"{base}/api/host/login.json", data={"user": u, "pass": p}),
            parse=lambda r, now: Token(r.json()["access_token"], now + float(r.json()["access_token_expires"]),
                                       r.json()["refresh_token"], now + float(r.json()["refresh_token_expires"])),
            refresh=lambda t, now: httpx.Request("POST", f"{base}/api/host/login.json",
                                                 data={"token": t.refresh_token}),
            apply=query_param("token"))
    """

    def __init__(self, *, login: Callable[[float], httpx.Request],
                 parse: Callable[[httpx.Response, float], Token],
                 apply: Callable[[httpx.Request, str], None] = bearer_header,
                 refresh: Callable[[Token, float], httpx.Request] | None = None,
                 refresh_margin: float = 60.0, clock: Clock = SYSTEM_CLOCK) -> None:
        self._login = login
        self._parse = parse
        self._apply = apply
        self._refresh = refresh
        self.refresh_margin = refresh_margin
        self.clock = clock
        self.token: Token | None = None
        self.logins = 0
        self.refreshes = 0
        self._lock = threading.Lock()
        self._sync_gate = threading.Lock()
        self._async_gate: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    def invalidate(self) -> None:
        """Forget the token so the next request logs in again."""
        with self._lock:
            self.token = None

    def _needs_new_token(self, token: Token | None, now: float) -> bool:
        return token is None or (token.expires_at is not None and now >= token.expires_at - self.refresh_margin)

    def _can_refresh(self, token: Token | None, now: float) -> bool:
        return (self._refresh is not None and token is not None and token.refresh_token is not None
                and (token.refresh_expires_at is None or now < token.refresh_expires_at - self.refresh_margin))

    def _obtain(self, token: Token | None) -> Generator[httpx.Request, httpx.Response | None, Token]:
        """Refresh when possible, else log in; a failed refresh falls back to one login."""
        now = self.clock.monotonic()
        if self._can_refresh(token, now):
            assert self._refresh is not None and token is not None
            response = yield _auth_request(self._refresh(token, now))
            assert response is not None
            if response.status_code < 400:
                self.refreshes += 1
                fresh = self._parse(response, now)
                if fresh.refresh_token is None:  # many APIs return only a new access token
                    fresh.refresh_token, fresh.refresh_expires_at = token.refresh_token, token.refresh_expires_at
                return fresh
            logger.info("token refresh refused (%s); logging in again", response.status_code)
        response = yield _auth_request(self._login(now))
        assert response is not None
        _check_login_response(response, "login")
        self.logins += 1
        return self._parse(response, now)

    def _current(self) -> Token | None:
        with self._lock:
            return self.token

    def _store(self, token: Token) -> None:
        with self._lock:
            self.token = token

    def gated_flow(self, request: httpx.Request) -> Step:
        token = self._current()
        if self._needs_new_token(token, self.clock.monotonic()):
            yield ENTER
            token = self._current()  # someone may have obtained one while we waited
            if self._needs_new_token(token, self.clock.monotonic()):
                token = yield from self._obtain(token)
                self._store(token)
            yield LEAVE
        assert token is not None
        original_url = request.url
        self._apply(request, token.access_token)
        response = yield request
        if response is None or response.status_code != 401:
            return
        yield ENTER
        current = self._current()
        if current is not None and current is not token:
            token = current  # another request already logged in again: reuse its token
        else:
            logger.info("request refused with 401; logging in again once")
            now = self.clock.monotonic()
            login_response = yield _auth_request(self._login(now))
            assert login_response is not None
            _check_login_response(login_response, "login")
            self.logins += 1
            token = self._parse(login_response, now)
            self._store(token)
        yield LEAVE
        request.url = original_url
        self._apply(request, token.access_token)
        yield request
