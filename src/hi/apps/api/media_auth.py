"""Who may fetch camera media (pictures, clips, live streams): a signed-in browser or an API bearer token.

``AccessMiddleware`` has already applied the route's rule (these routes are in ``hi.apps.access.rules.TOKEN_ROUTES``);
this decorator keeps the views usable on their own. Media URLs are plain same-origin paths with no credential in them; a page's ``<img>``/``<video>`` sends the
session cookie, a script sends ``Authorization: Bearer <token>``. A bad token is 401; no credential at all
sends a browser to the login page, as every other page does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from hi.apps.access.models import ApiToken
from hi.apps.access.principal import bearer_from_header

MediaView = Callable[..., Awaitable[HttpResponse]]


def session_or_token(view: MediaView) -> MediaView:
    """Let ``view`` run for a signed-in user or a valid API token (``request.api_token`` set for the latter)."""

    @login_not_required
    @wraps(view)
    async def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        bearer = bearer_from_header(request)
        if bearer:
            token = await sync_to_async(ApiToken.authenticate)(bearer)
            if token is None:
                return HttpResponse("Invalid API token.", status=401, content_type="text/plain; charset=utf-8",
                                    headers={"WWW-Authenticate": "Bearer"})
            request.api_token = token  # type: ignore[attr-defined]
        else:
            user = await request.auser()
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
        return await view(request, *args, **kwargs)

    return checked
