"""Who is calling and what they may do: a signed-in person, a bearer token, or nobody.

``principal_for(request)`` is the one reading of a request's credentials: a bearer token (API routes and the
streams only) or the session's user. Its ``level`` is the role's level, narrowed by the token's scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from .models import ApiToken, role_of
from .roles import ROLE_LEVEL, SCOPE_LEVEL, Perm, grants


@dataclass(frozen=True)
class Principal:
    """An authenticated caller; ``token`` is set when a bearer token (not a session) authenticated."""

    user: Any
    role: str
    token: Any = None

    @property
    def level(self) -> Perm:
        level = ROLE_LEVEL[self.role]
        if self.token is not None:
            level = min(level, SCOPE_LEVEL[self.token.scope])
        return level

    def may(self, needed: Perm) -> bool:
        return grants(self.level, needed, via_token=self.token is not None)

    @property
    def is_admin(self) -> bool:
        return self.level >= Perm.ADMIN

    def describe(self) -> str:
        who = f"{self.user.get_username()} ({self.role})"
        return f"token {self.token.name!r} of {who}, scope {self.token.scope}" if self.token else who


class BadCredentials(Exception):
    """A bearer token was sent but is unknown, revoked, expired or its user inactive."""


def bearer_from_header(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def principal_for(request: HttpRequest, *, accept_tokens: bool = True) -> Principal | None:
    """The caller, or None when anonymous; raises ``BadCredentials`` for a token that is sent but refused."""
    cached = getattr(request, "_hi_principal", False)
    if cached is not False:
        return cached
    principal: Principal | None = None
    plain = bearer_from_header(request) if accept_tokens else None
    if plain:
        token = ApiToken.authenticate(plain)
        if token is None:
            raise BadCredentials("invalid, revoked or expired token")
        principal = Principal(user=token.user, role=role_of(token.user), token=token)
    else:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            principal = Principal(user=user, role=role_of(user))
    request._hi_principal = principal  # type: ignore[attr-defined]
    return principal


def user_principal(user: Any) -> Principal | None:
    """The principal of a user (templates, CLI); None for anonymous or inactive users."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return Principal(user=user, role=role_of(user))


__all__ = ["BadCredentials", "Principal", "bearer_from_header", "principal_for", "role_of", "user_principal"]
