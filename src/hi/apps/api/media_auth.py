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

from hi.apps.access.principal import BadCredentials, principal_for

MediaView = Callable[..., Awaitable[HttpResponse]]


def session_or_token(view: MediaView) -> MediaView:
    """Let ``view`` run for a signed-in user or a valid API token (``request.api_token`` set for the latter).

    The caller is the one ``AccessMiddleware`` already read (``request.principal``): a thumbnail page asks
    for dozens of these, and each used to look its token up a second time."""

    @login_not_required
    @wraps(view)
    async def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        principal = getattr(request, "principal", None)
        if principal is None:
            try:
                principal = await sync_to_async(principal_for)(request)
            except BadCredentials:
                return HttpResponse("Invalid API token.", status=401, content_type="text/plain; charset=utf-8",
                                    headers={"WWW-Authenticate": "Bearer"})
        if principal is None:
            return redirect_to_login(request.get_full_path())
        if principal.token is not None:
            request.api_token = principal.token  # type: ignore[attr-defined]
        return await view(request, *args, **kwargs)

    return checked
