"""The HomeBox client: one interface over both API generations, on the shared resilient HTTP layer.

``GET /api/v1/status`` (no auth) names the build; up to v0.25 the client speaks the items API
(``/items``, ``/locations/tree``, labels renamed tags in v0.23), from v0.26 the entities API
(``/entities``, ``/entities/tree``, ``parent`` instead of ``location``). Login is
``TokenLoginAuth``: token reused across clients through the ``Session``, renewed with
``/users/refresh`` before it expires, one re-login on a 401. No Django here.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from hi.integrations.client.auth import BearerAuth, Token, TokenLoginAuth
from hi.integrations.client.http import HttpClient, Timeouts
from hi.integrations.client.retry import RETRY_STATUSES, RetryPolicy
from hi.integrations.client.validation import parse
from hi.integrations.exceptions import (
    AuthenticationError,
    DataValidationError,
    IntegrationError,
    RateLimitedError,
    RequestError,
    ServerError,
)
from hi.utils.clock import SYSTEM_CLOCK, Clock

from .models import (
    Group,
    ItemDetail,
    ItemsPage,
    ItemSummary,
    RawItem,
    Status,
    TokenAnswer,
    TreeNode,
    location_paths,
    to_detail,
    to_summary,
)
from .session import HomeBoxSettings, LocalLoginBlocked, LocalLoginRefusal, Session, session_for

INTEGRATION_ID = "homebox"
T = TypeVar("T")
logger = logging.getLogger("hi.services.homebox")
PAGE_SIZE = 1000  # items per list request: a 5,000-item no-op sync is 5 list requests
DAY = 86400.0
# HomeBox rate-limits only its auth endpoints; a 429 there must not be retried (each retry is an attempt).
HOMEBOX_RETRY = RetryPolicy(retry_statuses=RETRY_STATUSES - {429})


def parse_version(text: str) -> tuple[int, ...] | None:
    """``v0.26.1`` / ``0.26.0-rc.1`` → (0, 26, 1); a dev or nightly build → None."""
    match = re.match(r"^v?(\d+)\.(\d+)(?:\.(\d+))?", text.strip())
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())


@dataclass(frozen=True)
class Generation:
    """The paths and names one API generation uses."""

    name: str  # "items" (≤ v0.25) or "entities" (v0.26+)
    collection: str  # items | entities
    tree: str  # locations/tree | entities/tree
    tag_word: str  # labels (≤ v0.22) | tags
    list_params: tuple[tuple[str, str], ...] = ()

    def item_path(self, item_id: str) -> str:
        return f"{self.collection}/{item_id}"

    def attachment_path(self, item_id: str, attachment_id: str) -> str:
        return f"{self.collection}/{item_id}/attachments/{attachment_id}"


ITEMS_LABELS = Generation("items", "items", "locations/tree", "labels")
ITEMS_TAGS = Generation("items", "items", "locations/tree", "tags")
ENTITIES = Generation("entities", "entities", "entities/tree", "tags", (("isLocation", "false"),))


def generation_for(version: str) -> Generation:
    """Pick the generation from ``build.version``; an unreadable version (dev builds) means the newest."""
    parsed = parse_version(version)
    if parsed is None or parsed >= (0, 26):
        return ENTITIES
    return ITEMS_TAGS if parsed >= (0, 23) else ITEMS_LABELS


def _utc(text: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def make_auth(settings: HomeBoxSettings, session: Session, clock: Clock) -> TokenLoginAuth | BearerAuth:
    """An API key is a fixed bearer token; otherwise log in with ``stayLoggedIn`` and refresh before expiry."""
    if settings.api_key:
        return BearerAuth(settings.api_key)
    base = settings.api_base

    def login(now: float) -> httpx.Request:
        session.guard.check(INTEGRATION_ID)
        session.login_pending = True
        return httpx.Request("POST", f"{base}users/login", json={
            "username": settings.username, "password": settings.password, "stayLoggedIn": True},
            headers={"Content-Type": "application/json"})

    def refresh(token: Token, now: float) -> httpx.Request:
        return httpx.Request("GET", f"{base}users/refresh", headers={"Authorization": f"Bearer {token.access_token}"})

    def parse_token(response: httpx.Response, now: float) -> Token:
        try:
            answer = parse(TokenAnswer, response.json(), integration_id=INTEGRATION_ID, what="login answer")
        except ValueError:
            raise DataValidationError("HomeBox answered the login with something that is not JSON",
                                      integration_id=INTEGRATION_ID) from None
        if not answer.bare_token:
            raise AuthenticationError("HomeBox answered the login without a token", integration_id=INTEGRATION_ID)
        expires = _utc(answer.expiresAt)
        lifetime = (expires - dt.datetime.now(dt.UTC)).total_seconds() if expires else 7 * DAY
        lifetime = max(lifetime, 1.0)
        session.token_expires_utc = expires
        session.login_pending = False
        session.guard.succeeded()
        # Renew when a quarter of the lifetime (at most a day) is left; the token itself renews it, so
        # "refresh" stays possible until just before the token expires.
        auth.refresh_margin = min(DAY, lifetime / 4)
        expires_at = now + lifetime
        return Token(answer.bare_token, expires_at, answer.bare_token, expires_at + auth.refresh_margin - 0.001)

    auth = TokenLoginAuth(login=login, parse=parse_token, refresh=refresh, clock=clock)
    return auth


class HomeBoxClient:
    """Synchronous client (sync, views, connection test, bench); close it or use ``with``."""

    def __init__(self, settings: HomeBoxSettings, *, clock: Clock = SYSTEM_CLOCK, timeouts: Timeouts | None = None,
                 retry: RetryPolicy | None = None, use_breaker: bool = True,
                 transport: httpx.BaseTransport | None = None, session: Session | None = None,
                 max_connections: int = 8) -> None:
        self.settings = settings
        self.session = session or session_for(settings, clock)
        self.session.last_used = clock.monotonic()
        if self.session.auth is None:
            self.session.auth = make_auth(settings, self.session, clock)
        headers = {"X-Tenant": settings.tenant} if settings.tenant else None
        options: dict[str, Any] = {"integration_id": INTEGRATION_ID, "timeouts": timeouts or Timeouts(connect=5, read=30),
                                   "retry": retry or HOMEBOX_RETRY, "use_breaker": use_breaker, "clock": clock,
                                   "headers": headers, "max_connections": max_connections}
        self.public = HttpClient(settings.api_base, transport=transport, **options)
        self.http = HttpClient(settings.api_base, transport=transport, auth=self.session.auth, **options)
        self.requests = 0  # requests this client sent (logins included), for the no-op-sync budget

    # -- plumbing -------------------------------------------------------------------------------
    def _login_failed(self, error: IntegrationError) -> IntegrationError:
        """Classify an error raised while a login was in flight, and teach the guard."""
        session = self.session
        session.login_pending = False
        if isinstance(error, LocalLoginRefusal | LocalLoginBlocked):
            return error
        if isinstance(error, RateLimitedError):
            session.guard.limited(error.retry_after)
            return RateLimitedError(f"HomeBox limits login attempts; waiting {error.retry_after or 60:.0f} s before "
                                    "the next one", retry_after=error.retry_after, integration_id=INTEGRATION_ID)
        old = session.generation is not None and session.generation.name == "items"
        if isinstance(error, AuthenticationError) or (isinstance(error, ServerError) and error.status_code == 500
                                                      and (old or session.generation is None)):
            # HomeBox before v0.22 answers a wrong password with 500; from v0.22 with 401.
            session.guard.refused()
            return AuthenticationError("HomeBox refused the user name or password", integration_id=INTEGRATION_ID)
        return error

    def _guarded(self, call: Callable[[], T]) -> T:
        """Run one request: count it (and any login it caused) and say plainly why a login failed."""
        self.requests += 1
        auth = self.session.auth
        logins_before = auth.logins if isinstance(auth, TokenLoginAuth) else 0
        try:
            return call()
        except IntegrationError as error:
            if self.session.login_pending:
                raise self._login_failed(error) from error
            if isinstance(error, AuthenticationError) and isinstance(auth, BearerAuth):
                raise AuthenticationError("HomeBox refused the API key", integration_id=INTEGRATION_ID) from error
            raise
        finally:
            if isinstance(auth, TokenLoginAuth):
                self.requests += auth.logins - logins_before

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self._guarded(lambda: self.http.request(method, path, **kwargs))

    def _json(self, path: str, model: Any, **kwargs: Any) -> Any:
        return self._guarded(lambda: self.http.get_json(path, model, **kwargs))

    # -- the API --------------------------------------------------------------------------------
    def status(self) -> Status:
        """``/status`` without auth; also fixes the generation for this session."""
        self.requests += 1
        status = self.public.get_json("status", Status)
        self.session.version = status.build.version
        self.session.generation = generation_for(status.build.version)
        return status

    @property
    def generation(self) -> Any:
        if self.session.generation is None:
            self.status()
        return self.session.generation

    def group(self) -> Group:
        """The collection (group) the token — or ``X-Tenant`` — selects; its currency prices are in."""
        return self._json("groups", Group)

    def item_pages(self, page_size: int = PAGE_SIZE) -> Iterator[list[ItemSummary]]:
        """Every non-archived item, page by page (HomeBox returns everything unless page and pageSize are set)."""
        generation = self.generation
        page = 1
        while True:
            params = [("page", str(page)), ("pageSize", str(page_size)), *generation.list_params]
            answer: ItemsPage = self._json(generation.collection, ItemsPage, params=params)
            yield [to_summary(raw) for raw in answer.items]
            if not answer.items or page * page_size >= answer.total:
                return
            page += 1

    def items(self, page_size: int = PAGE_SIZE) -> list[ItemSummary]:
        return [item for page in self.item_pages(page_size) for item in page]

    def item(self, item_id: str) -> ItemDetail:
        raw = self._json(self.generation.item_path(item_id), RawItem)
        try:
            return to_detail(raw)
        except ValueError as exc:
            raise DataValidationError(f"item {item_id}: {exc}", field=item_id, integration_id=INTEGRATION_ID) from None

    def location_paths(self) -> dict[str, tuple[str, ...]]:
        roots = self._json(self.generation.tree, list[TreeNode])
        return location_paths(roots)

    def attachment(self, item_id: str, attachment_id: str) -> tuple[bytes, str]:
        """The file's bytes and content type; a redirect (a link attachment) is refused, never followed."""
        response = self._send("GET", self.generation.attachment_path(item_id, attachment_id))
        if 300 <= response.status_code < 400:
            raise RequestError("HomeBox answered with a redirect to an outside address; link attachments are "
                               "shown as links and never fetched by the hub", status_code=response.status_code,
                               integration_id=INTEGRATION_ID)
        return response.content, response.headers.get("Content-Type", "application/octet-stream")

    def ensure_login(self) -> None:
        """Make sure a token is at hand (the connection test uses it to report a refused login)."""
        self._json("groups", Group)

    def health_details(self) -> dict[str, Any]:
        return {**self.http.health_details(), "session": self.session.snapshot()}

    def close(self) -> None:
        self.public.close()
        self.http.close()

    def __enter__(self) -> HomeBoxClient:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()
