"""Who is calling: a bearer token (scripts) or a logged-in session (the browser, with CSRF).

``hi.apps.access.middleware.AccessMiddleware`` has already decided whether the caller may use the route (401
without credentials, 403 without the role or scope); these classes only tell ninja who it is and keep the CSRF
check for session callers.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from hi.apps.access.models import ApiToken
from hi.apps.access.principal import bearer_from_header


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token is looked up by its digest."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        principal = getattr(request, "principal", None)
        api_token = principal.token if principal is not None and principal.token is not None else (
            ApiToken.authenticate(token))
        if api_token is not None:
            request.api_token = api_token  # type: ignore[attr-defined]
        return api_token


API_AUTH = [BearerTokenAuth(), SessionAuth(csrf=True)]


def requested_by(request: HttpRequest) -> str:
    """How ControllerHistory names the caller."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"api-token:{token.name}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.get_username()}"
    return "api"


__all__ = ["API_AUTH", "BearerTokenAuth", "bearer_from_header", "requested_by"]
