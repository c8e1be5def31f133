"""``/tokens/``: a person's own API tokens (an admin sees everyone's): list, create (value shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hi.apps.access import tokens
from hi.apps.access.models import TokenError
from hi.apps.access.principal import Principal
from hi.apps.access.roles import ROLE_SCOPE, SCOPE_LEVEL, Scope


def _principal(request: HttpRequest) -> Principal:
    return request.principal  # type: ignore[attr-defined]  # set by AccessMiddleware


def index(request: HttpRequest) -> HttpResponse:
    principal = _principal(request)
    created = None
    error = ""
    if request.method == "POST":
        days = request.POST.get("expires_days", "").strip()
        try:
            expires = int(days) if days else None
        except ValueError:
            expires = None
            error = "Expiry must be a whole number of days."
        if not error:
            try:
                token, plain = tokens.create_token(principal, request.POST.get("name", ""),
                                                   scope=request.POST.get("scope") or None, expires_days=expires)
                created = {"token": token, "value": plain}
            except TokenError as exc:
                error = str(exc)
    widest = SCOPE_LEVEL[ROLE_SCOPE[principal.role]]
    scopes = [s for s in Scope.values if SCOPE_LEVEL[s] <= widest]
    context = {"tokens": tokens.visible_tokens(principal), "created": created, "error": error, "scopes": scopes,
               "show_owner": principal.is_admin, "form": request.POST if error else {}}
    response = render(request, "web/tokens.html", context, status=400 if error else 200)
    response["Cache-Control"] = "no-store"  # the page that shows a new token's value once is never cached
    return response


@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        revoked = tokens.revoke_token(_principal(request), str(token_id))
    except tokens.TokenNotFound:
        raise Http404("no such token") from None
    messages.success(request, f"Token {revoked['name']!r} revoked; scripts using it are refused from now on.")
    return redirect("tokens")
