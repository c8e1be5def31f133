"""Typed ZoneMinder 1.36 API client on the shared resilient HTTP layer (no Django import).

Retries, breaker, timeouts and metrics come from ``hi.integrations.client``; this module knows
ZoneMinder: the login/refresh token flow with ``?token=`` on every call, the path-segment event
filters, and the payload schemas in ``zm_models``. ``ZoneMinderClient`` is synchronous (sync,
control, connection test); ``AsyncZoneMinderClient`` is its awaitable twin (the worker, the proxy).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from hi.integrations.client.auth import Token, TokenLoginAuth, query_param
from hi.integrations.client.http import AsyncHttpClient, HttpClient, Timeouts
from hi.integrations.client.retry import RetryPolicy
from hi.integrations.client.validation import parse
from hi.integrations.exceptions import DataValidationError
from hi.utils.clock import SYSTEM_CLOCK, Clock

from .zm_models import (
    AlarmStatus,
    DaemonCheck,
    EventEntry,
    EventsPage,
    LoginResult,
    MonitorFunction,
    MonitorsPage,
    RunStates,
    SingleEvent,
    TimeZoneInfo,
    VersionInfo,
    ZmEvent,
)

INTEGRATION_ID = "zoneminder"
logger = logging.getLogger("hi.services.zoneminder")
Filter = tuple[str, str, Any]  # (field, operator, value), e.g. ("Id", ">", 120)


@dataclass(frozen=True)
class ZmSettings:
    """Where the server is and who we are; ``api_url`` like ``http://host/zm/api``, ``portal_url`` ``http://host/zm``."""

    api_url: str
    portal_url: str
    username: str
    password: str

    @property
    def login_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/host/login.json"


def make_auth(settings: ZmSettings, clock: Clock = SYSTEM_CLOCK, refresh_margin: float = 300.0) -> TokenLoginAuth:
    """ZoneMinder's token flow: user/pass login, refresh-token renewal before expiry, ``?token=`` on requests."""

    def login(now: float) -> httpx.Request:
        return httpx.Request("POST", settings.login_url, data={"user": settings.username, "pass": settings.password})

    def refresh(token: Token, now: float) -> httpx.Request:
        return httpx.Request("POST", settings.login_url, data={"token": token.refresh_token or ""})

    def parse_login(response: httpx.Response, now: float) -> Token:
        result = parse(LoginResult, response.json(), integration_id=INTEGRATION_ID, what="login answer")
        refresh_expires = now + result.refresh_token_expires if result.refresh_token_expires else None
        return Token(result.access_token, now + result.access_token_expires, result.refresh_token, refresh_expires)

    return TokenLoginAuth(login=login, parse=parse_login, refresh=refresh, apply=query_param("token"),
                          refresh_margin=refresh_margin, clock=clock)


def events_path(filters: Sequence[Filter]) -> str:
    """``events/index/<Field op:value>/....json`` with spaces and operators URL-encoded."""
    if not filters:
        return "events/index.json"
    parts = []
    for field_name, op, value in filters:
        key = field_name if op == "=" else f"{field_name} {op}"
        parts.append(quote(f"{key}:{value}", safe=":"))
    return "events/index/" + "/".join(parts) + ".json"


@dataclass
class EventBatch:
    """Events read by id order; ``last_id`` counts malformed rows too, so one bad row never blocks the cursor."""

    last_id: int
    events: list[ZmEvent] = field(default_factory=list)
    skipped: int = 0
    malformed_ids: set[int] = field(default_factory=set)

    @property
    def seen_ids(self) -> set[int]:
        """Every id the server returned, malformed rows included (those are read, just not usable)."""
        return {event.Id for event in self.events} | self.malformed_ids

    def add_page(self, page: EventsPage) -> bool:
        """Take one page; True when another page follows."""
        for raw in page.events:
            try:
                event = parse(EventEntry, raw, integration_id=INTEGRATION_ID, what="event").Event
            except DataValidationError as exc:
                self.skipped += 1
                logger.warning("skipping malformed ZoneMinder event: %s", exc)
                raw_id = (raw.get("Event") or {}).get("Id") if isinstance(raw, dict) else None
                if isinstance(raw_id, str | int) and str(raw_id).isdigit():
                    self.malformed_ids.add(int(raw_id))
                    self.last_id = max(self.last_id, int(raw_id))
                continue
            self.events.append(event)
            self.last_id = max(self.last_id, event.Id)
        return bool(page.events) and page.pagination.nextPage


class _ZoneMinderCalls:
    """The API surface once; ``_call`` is plain in the sync client and a coroutine in the async one."""

    settings: ZmSettings
    auth: TokenLoginAuth

    def _call(self, method: str, path: str, model: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def version(self) -> Any:
        return self._call("GET", "host/getVersion.json", VersionInfo)

    def daemon_check(self) -> Any:
        return self._call("GET", "host/daemonCheck.json", DaemonCheck)

    def time_zone(self) -> Any:
        return self._call("GET", "host/getTimeZone.json", TimeZoneInfo)

    def monitors(self) -> Any:
        return self._call("GET", "monitors.json", MonitorsPage)

    def edit_monitor(self, monitor_id: int, *, function: MonitorFunction | str | None = None,
                     enabled: bool | None = None) -> Any:
        form: dict[str, str] = {}
        if function is not None:
            form["Monitor[Function]"] = str(MonitorFunction(function))
        if enabled is not None:
            form["Monitor[Enabled]"] = "1" if enabled else "0"
        if not form:
            raise ValueError("nothing to change")
        return self._call("POST", f"monitors/{int(monitor_id)}.json", Any, data=form)

    def alarm(self, monitor_id: int, command: str) -> Any:
        if command not in ("on", "off", "status"):
            raise ValueError("alarm command must be on, off or status")
        return self._call("GET", f"monitors/alarm/id:{int(monitor_id)}/command:{command}.json", AlarmStatus,
                          idempotent=command == "status")

    def events(self, filters: Sequence[Filter] = (), *, page: int = 1, limit: int = 100,
               sort: str = "Id", direction: str = "asc") -> Any:
        params = {"page": page, "limit": limit, "sort": sort, "direction": direction}
        return self._call("GET", events_path(filters), EventsPage, params=params)

    def event(self, event_id: int) -> Any:
        return self._call("GET", f"events/{int(event_id)}.json", SingleEvent)

    def run_states(self) -> Any:
        return self._call("GET", "states.json", RunStates)

    def change_state(self, name: str) -> Any:
        return self._call("POST", f"states/change/{quote(name, safe='')}.json", Any, idempotent=False)

    def stream_url(self, monitor_id: int, *, mode: str = "jpeg", max_fps: float = 5, scale: int = 100) -> str:
        """The ``nph-zms`` address for a monitor, with the current access token (server-side use only)."""
        token = self.auth.token.access_token if self.auth.token else ""
        query = urlencode({"mode": mode, "monitor": int(monitor_id), "scale": scale, "maxfps": max_fps,
                           "token": token})
        return f"{self.settings.portal_url.rstrip('/')}/cgi-bin/nph-zms?{query}"

    def portal_address(self, path: str, params: dict[str, Any]) -> str:
        """A portal address (``index.php``, ``cgi-bin/nph-zms``) with the current access token: server-side only."""
        token = self.auth.token.access_token if self.auth.token else ""
        return f"{self.settings.portal_url.rstrip('/')}/{path}?{urlencode({**params, 'token': token})}"

    def token_is_fresh(self) -> bool:
        token = self.auth.token
        return token is not None and (token.expires_at is None
                                      or self.auth.clock.monotonic() < token.expires_at - self.auth.refresh_margin)


def _client_options(settings: ZmSettings, auth: TokenLoginAuth, timeouts: Timeouts | None,
                    retry: RetryPolicy | None, use_breaker: bool, clock: Clock) -> dict[str, Any]:
    return {"integration_id": INTEGRATION_ID, "auth": auth, "timeouts": timeouts or Timeouts(connect=5, read=30),
            "retry": retry, "use_breaker": use_breaker, "clock": clock}


class ZoneMinderClient(_ZoneMinderCalls):
    """Synchronous client; close it (or use ``with``)."""

    def __init__(self, settings: ZmSettings, *, clock: Clock = SYSTEM_CLOCK, timeouts: Timeouts | None = None,
                 retry: RetryPolicy | None = None, use_breaker: bool = True,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self.auth = make_auth(settings, clock)
        self.http = HttpClient(settings.api_url.rstrip("/") + "/", transport=transport,
                               **_client_options(settings, self.auth, timeouts, retry, use_breaker, clock))

    def _call(self, method: str, path: str, model: Any, **kwargs: Any) -> Any:
        return self.http.request_json(method, path, model, **kwargs)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> ZoneMinderClient:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()


class AsyncZoneMinderClient(_ZoneMinderCalls):
    """Awaitable twin of ``ZoneMinderClient``; every API method returns a coroutine."""

    def __init__(self, settings: ZmSettings, *, clock: Clock = SYSTEM_CLOCK, timeouts: Timeouts | None = None,
                 retry: RetryPolicy | None = None, use_breaker: bool = True,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings
        self.auth = make_auth(settings, clock)
        self.http = AsyncHttpClient(settings.api_url.rstrip("/") + "/", transport=transport,
                                    **_client_options(settings, self.auth, timeouts, retry, use_breaker, clock))

    async def _call(self, method: str, path: str, model: Any, **kwargs: Any) -> Any:
        return await self.http.request_json(method, path, model, **kwargs)

    async def events_after(self, last_id: int, *, limit: int = 100, max_pages: int = 50) -> EventBatch:
        """Every event with ``Id > last_id``, paged by id (keyset), oldest first; cost grows with new events only."""
        batch = EventBatch(last_id=last_id)
        for _ in range(max_pages):
            if not batch.add_page(await self.events([("Id", ">", batch.last_id)], limit=limit)):
                break
        return batch

    async def latest_events(self, limit: int = 100) -> EventBatch:
        batch = EventBatch(last_id=0)
        batch.add_page(await self.events(limit=limit, direction="desc"))
        return batch

    async def ensure_token(self) -> str:
        """A valid access token (logging in or refreshing if needed) for URLs built server-side."""
        if not self.token_is_fresh():
            await self.version()
        assert self.auth.token is not None
        return self.auth.token.access_token

    async def aclose(self) -> None:
        await self.http.aclose()
