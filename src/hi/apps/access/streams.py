"""Open live streams end when their credentials stop being good: a revoked or expired token, a user disabled or
demoted below read access, a session that logged out or was signed out by a new password (Django's session
hash: the session still exists but no longer matches the user's password). Each stream re-checks every ``HI_STREAM_RECHECK_SECONDS``
(2 s by default, one or two small queries), so this holds across processes (a token revoked by ``hi tokens
revoke`` in a shell ends a stream served by ``hi run``) without any signal between them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from importlib import import_module

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, get_user_model
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from hi.utils.relay import relay_until

from .models import ApiToken
from .principal import Principal, role_of
from .roles import Perm

DEFAULT_RECHECK_SECONDS = 2.0
ENDED = "event: unauthorized\ndata: {}\n\n"


def recheck_seconds() -> float:
    return float(getattr(settings, "HI_STREAM_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS))


def credentials_check(request: HttpRequest, principal: Principal) -> Callable[[], Awaitable[bool]]:
    """An async ``still allowed?`` for the principal that opened the stream."""
    token_id = principal.token.pk if principal.token is not None else None
    user_id = principal.user.pk
    session_key = None if token_id is not None else request.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore

    def check() -> bool:
        if token_id is not None and not ApiToken.still_valid(token_id):
            return False
        session = store(session_key).load() if session_key is not None else None
        if session is not None and not session:  # logged out: the session is gone
            return False
        user = get_user_model().objects.filter(pk=user_id, is_active=True).select_related("hi_role").first()
        if user is None:
            return False
        if session is not None and not _same_password(session, user):
            return False
        token = ApiToken.objects.filter(pk=token_id).first() if token_id is not None else None
        return Principal(user=user, role=role_of(user), token=token).may(Perm.READ)

    return sync_to_async(check)


def _same_password(session: dict, user: object) -> bool:
    """The session was made with the user's current password (as ``django.contrib.auth.get_user`` checks it)."""
    stored = session.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]  # type: ignore[attr-defined]
    return bool(stored) and any(constant_time_compare(stored, known) for known in hashes)


def guarded(events: AsyncIterator[str], still_allowed: Callable[[], Awaitable[bool]],
            interval: float | None = None) -> AsyncIterator[str]:
    """``events`` while ``still_allowed()`` holds (checked every ``interval`` s); then one ``unauthorized`` event
    and the end. The pending read is one task, so a check never cuts a message in half."""
    every = recheck_seconds() if interval is None else interval
    return relay_until(events, check=still_allowed, every=every, farewell=ENDED)


def guard_stream(request: HttpRequest, events: AsyncIterator[str]) -> AsyncIterator[str]:
    """``events`` ended when the request's principal (set by ``AccessMiddleware``) loses its access."""
    principal: Principal = request.principal  # type: ignore[attr-defined]
    return guarded(events, credentials_check(request, principal))
