"""Who is calling: a bearer token (scripts) or a logged-in session (the browser, with CSRF)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import sync_to_async
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken


class BearerTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; the token is looked up by its digest."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = ApiToken.authenticate(token)
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


def bearer_from_header(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def authenticate_async(request: HttpRequest) -> Any | None:
    """For plain async views (the stream): a token or a session user, else None."""
    token = bearer_from_header(request)
    if token:
        return await sync_to_async(ApiToken.authenticate)(token)
    user = await request.auser()
    return user if user.is_authenticated else None
