"""Enforces ``rules.ROUTES`` on every request before any view runs.

Anonymous callers of the API (and the API stream) get 401 JSON — also for POSTs, so a script without a token
learns it lacks credentials instead of reading "CSRF check failed" — and of pages a login redirect; callers
whose role or token scope is too narrow get 403 (JSON for the API, a page otherwise). A route without a rule
is refused and logged: nobody decided who may use it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.deprecation import MiddlewareMixin

from .principal import BadCredentials, principal_for
from .roles import Perm
from .rules import PUBLIC, TOKEN_ROUTES, needed, rule_for

logger = logging.getLogger(__name__)

UNAUTHORIZED = {"detail": "Unauthorized"}


def _is_api(route: str) -> bool:
    return route.startswith("api/")


def _forbidden(request: HttpRequest, route: str, message: str) -> HttpResponse:
    if _is_api(route):
        return JsonResponse({"detail": message}, status=403)
    html = render_to_string("access/forbidden.html", {"message": message}, request=request)
    return HttpResponse(html, status=403)


class AccessMiddleware(MiddlewareMixin):
    """``process_view`` only: the route is known there, and nothing of the view has run yet."""

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any,
                     view_kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        route = match.route if match is not None else ""
        route_rule = rule_for(route)
        if route_rule is None:
            logger.error("no access rule for route %r: refused (add one to hi.apps.access.rules)", route)
            return _forbidden(request, route, "This address has no access rule; nobody may use it yet.")
        need = needed(route_rule, request.method or "GET")
        if need == PUBLIC:
            return None
        try:
            principal = principal_for(request, accept_tokens=_is_api(route) or route in TOKEN_ROUTES)
        except BadCredentials:
            return JsonResponse(UNAUTHORIZED, status=401)
        if principal is None:
            if _is_api(route):
                return JsonResponse(UNAUTHORIZED, status=401)
            return redirect_to_login(request.get_full_path())
        if not principal.may(need):
            return _forbidden(request, route, _refusal(principal.describe(), need))
        request.principal = principal  # type: ignore[attr-defined]
        return None


def _refusal(who: str, need: Perm) -> str:
    what = {Perm.SELF: "a signed-in person (or an admin-scope token)", Perm.READ: "read access",
            Perm.CONTROL: "the member role (or a control-scope token)",
            Perm.ADMIN: "the admin role (or an admin-scope token)"}[need]
    return f"Not allowed: this needs {what}; you are {who}."
