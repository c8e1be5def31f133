"""Token operations, written once for the API, the CLI and the tokens page.

A person sees and revokes their own tokens; an admin (role admin, and an admin-scope token when a token calls)
sees and revokes everyone's and may create tokens for others. A token may be revoked by id or by name; a name
is looked up among the caller's own tokens first, and for an admin among everyone's when it is unambiguous.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ApiToken, TokenError
from .principal import Principal
from .users import UserError, find_user


class TokenNotFound(LookupError):
    """No token by that id or name that the caller may see."""


def visible_tokens(principal: Principal) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user").order_by("user__username", "name", "id")
    return tokens if principal.is_admin else tokens.filter(user=principal.user)


def list_tokens(principal: Principal) -> list[dict[str, Any]]:
    return [token.as_dict() for token in visible_tokens(principal)]


def create_token(principal: Principal, name: str, *, scope: str | None = None, expires_days: int | None = None,
                 for_user: str | None = None) -> tuple[ApiToken, str]:
    """A new token for the caller (or, for an admin, for ``for_user``); returns it and its value (shown once)."""
    owner = principal.user
    if for_user and for_user != principal.user.get_username():
        if not principal.is_admin:
            raise TokenError("only an admin may create tokens for someone else")
        try:
            owner = find_user(for_user)
        except UserError as exc:
            raise TokenError(str(exc)) from None
    if principal.token is not None and scope is None:
        scope = principal.token.scope  # a token minting a token: never wider than itself
    return ApiToken.issue(name, user=owner, scope=scope, expires_days=expires_days)


def find_token(principal: Principal, id_or_name: str) -> ApiToken:
    tokens = visible_tokens(principal)
    text = (id_or_name or "").strip()
    if text.isdigit():
        found = tokens.filter(pk=int(text)).first()
        if found is not None:
            return found
        raise TokenNotFound(f"no token with id {text}")
    own = tokens.filter(user=principal.user, name=text)
    if own.exists():
        return own.get()
    matches = list(tokens.filter(name=text)[:2])
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise TokenError(f"several users have a token named {text!r}; revoke it by id")
    raise TokenNotFound(f"no token named {text!r}")


def revoke_token(principal: Principal, id_or_name: str) -> dict[str, Any]:
    """Delete it: the next request with it gets 401, an open stream ends within seconds."""
    token = find_token(principal, id_or_name)
    described = token.as_dict()
    token.delete()
    return described
