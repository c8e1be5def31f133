"""Login state that outlives one client: the token, the API generation, and the login guard.

HomeBox tokens last 7 days (28 with ``stayLoggedIn``), so every sync, attachment download and
health probe in a process shares one ``Session`` per configuration (URL, user, password hash,
tenant, API key hash) instead of logging in each time. The guard keeps the hub from locking the
account: HomeBox (v0.23+) counts *failed* logins per client address and, past 5 a minute, answers
429 with ``Retry-After`` for 10 s doubling up to 5 min. After a refused login the hub does not try
the same credentials again for ``REFUSED_PAUSE`` seconds, and after a 429 it waits out
``Retry-After`` locally — both without a request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

from hi.integrations.client.auth import BearerAuth, TokenLoginAuth
from hi.integrations.exceptions import AuthenticationError, RateLimitedError
from hi.utils.clock import SYSTEM_CLOCK, Clock

REFUSED_PAUSE = 600.0  # seconds without login attempts after the server refused the credentials
DEFAULT_RATE_LIMIT_WAIT = 60.0  # when a 429 carries no Retry-After


@dataclass(frozen=True)
class HomeBoxSettings:
    """Where HomeBox is and who we are: a user name + password, or a v0.26 API key (``hb_…``)."""

    api_url: str
    username: str = ""
    password: str = ""
    api_key: str = ""
    tenant: str = ""

    @property
    def api_base(self) -> str:
        """``http://host:7745`` / ``…/api`` / ``…/api/v1`` all become ``…/api/v1/``."""
        base = self.api_url.rstrip("/")
        if base.endswith("/api/v1"):
            return base + "/"
        if base.endswith("/api"):
            return base + "/v1/"
        return base + "/api/v1/"

    def fingerprint(self) -> str:
        """Identifies the configuration without holding a secret (sessions are keyed by it)."""
        raw = "\x00".join((self.api_base, self.username, self.password, self.api_key, self.tenant))
        return hashlib.sha256(raw.encode()).hexdigest()


class LocalLoginRefusal(AuthenticationError):
    """Raised without a request: these credentials were refused recently."""


class LocalLoginBlocked(RateLimitedError):
    """Raised without a request: HomeBox asked us to wait before logging in again."""


@dataclass
class LoginGuard:
    """Remembers refusals and rate limits so no login is sent while one would only count against us."""

    clock: Clock = SYSTEM_CLOCK
    last_result: str = ""  # "" (never tried) | ok | refused | rate_limited
    last_attempt_utc: dt.datetime | None = None
    blocked_until: float | None = None  # clock seconds
    blocked_until_utc: dt.datetime | None = None
    refusals: int = 0
    rate_limited: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def check(self, integration_id: str) -> None:
        with self._lock:
            if self.blocked_until is None or self.clock.monotonic() >= self.blocked_until:
                return
            wait = self.blocked_until - self.clock.monotonic()
            if self.last_result == "refused":
                raise LocalLoginRefusal(
                    f"HomeBox refused these credentials; not trying them again for {wait:.0f} s "
                    "(so the account is not locked); fix the user name or password", integration_id=integration_id)
            raise LocalLoginBlocked(f"HomeBox limits login attempts; next try in {wait:.0f} s",
                                    retry_after=wait, integration_id=integration_id)

    def _block(self, seconds: float, result: str) -> None:
        self.last_result = result
        self.last_attempt_utc = dt.datetime.now(dt.UTC)
        self.blocked_until = self.clock.monotonic() + seconds
        self.blocked_until_utc = self.last_attempt_utc + dt.timedelta(seconds=seconds)

    def refused(self) -> None:
        with self._lock:
            self.refusals += 1
            self._block(REFUSED_PAUSE, "refused")

    def limited(self, retry_after: float | None) -> None:
        with self._lock:
            self.rate_limited += 1
            self._block(retry_after if retry_after is not None else DEFAULT_RATE_LIMIT_WAIT, "rate_limited")

    def succeeded(self) -> None:
        with self._lock:
            self.last_result = "ok"
            self.last_attempt_utc = dt.datetime.now(dt.UTC)
            self.blocked_until = self.blocked_until_utc = None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            blocked = self.blocked_until is not None and self.clock.monotonic() < self.blocked_until
            return {"last_login": self.last_result or "none",
                    "last_login_at": self.last_attempt_utc.isoformat() if self.last_attempt_utc else None,
                    "login_blocked_until": self.blocked_until_utc.isoformat() if blocked and self.blocked_until_utc
                    else None,
                    "refused_logins": self.refusals, "rate_limited_logins": self.rate_limited}


@dataclass
class Session:
    """Per configuration: the auth object (token inside), the generation, the guard, the token's expiry."""

    settings: HomeBoxSettings
    clock: Clock = SYSTEM_CLOCK
    auth: TokenLoginAuth | BearerAuth | None = None
    guard: LoginGuard = field(default_factory=LoginGuard)
    generation: Any = None  # a ``Generation`` once ``/status`` has been read
    version: str = ""
    token_expires_utc: dt.datetime | None = None
    login_pending: bool = False
    last_used: float = 0.0  # clock seconds; health shows the session used last

    def snapshot(self) -> dict[str, Any]:
        auth = self.auth
        method = "api_key" if isinstance(auth, BearerAuth) else "password"
        has_token = isinstance(auth, TokenLoginAuth) and auth.token is not None
        details = {"auth_method": method, "version": self.version,
                   "generation": getattr(self.generation, "name", None), **self.guard.snapshot()}
        if method == "password":
            details.update({"logged_in": has_token,
                            "token_expires_at": self.token_expires_utc.isoformat() if self.token_expires_utc
                            and has_token else None,
                            "logins": auth.logins if isinstance(auth, TokenLoginAuth) else 0,
                            "refreshes": auth.refreshes if isinstance(auth, TokenLoginAuth) else 0})
        return details


_sessions: dict[str, Session] = {}
_sessions_lock = threading.Lock()


def session_for(settings: HomeBoxSettings, clock: Clock = SYSTEM_CLOCK) -> Session:
    """The shared session of this configuration (a changed password is a new session, a fresh guard)."""
    key = settings.fingerprint()
    with _sessions_lock:
        found = _sessions.get(key)
        if found is None or found.clock is not clock:
            found = _sessions[key] = Session(settings, clock=clock, guard=LoginGuard(clock=clock))
        return found


def sessions() -> list[Session]:
    with _sessions_lock:
        return list(_sessions.values())


def latest_session() -> Session | None:
    """The session a client used last in this process (the current configuration's, in practice)."""
    with _sessions_lock:
        return max(_sessions.values(), key=lambda s: s.last_used, default=None)


def reset_sessions() -> None:
    """Forget every token and guard (tests)."""
    with _sessions_lock:
        _sessions.clear()
