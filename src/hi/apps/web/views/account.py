"""``/account/`` ("Your account"): every signed-in person — a viewer or member too, not only an admin — sees who they
are signed in as and changes their own password.

The change goes through ``hi.apps.access.users.change_own_password``, so it obeys the rules the People page and
``hi users set-password`` obey (Django's password validators), and a wrong current password counts as a failed
sign-in of their user name (django-axes: at the limit this form and the sign-in page answer with the lockout page).
The session that made the change stays signed in (``update_session_auth_hash``); their other sessions end. No
password is ever rendered back: a refused form comes back with empty password fields and the reason beside the
field that was wrong (400); the page is not cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from hi.apps.access import users
from hi.apps.access.principal import role_of

ROLE_SAYS = {"admin": "you can change everything, including who may sign in",
             "member": "you can look at everything, switch things and answer alerts",
             "viewer": "you can look at everything, but not switch things"}


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _page(request: HttpRequest, *, status: int = 200, errors: dict[str, str] | None = None,
          revoke_tokens: bool = False) -> HttpResponse:
    user = request.user
    role = role_of(user)
    context = {"role": role, "role_says": ROLE_SAYS.get(role, ""), "tokens": user.api_tokens.count(),
               "errors": errors or {}, "revoke_tokens": revoke_tokens}
    response = render(request, "web/account.html", context, status=status)
    response["Cache-Control"] = "no-store"  # nothing secret is on it, but a shared tablet's history need not keep it
    return response


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The page; a POST changes the password (current one, new one twice, optionally revoking their tokens)."""
    if request.method == "GET":
        return _page(request)
    revoke_tokens = request.POST.get("revoke_tokens") == "on"
    try:
        revoked = users.change_own_password(
            request, request.POST.get("current_password", ""), request.POST.get("new_password", ""),
            request.POST.get("new_password_confirm", ""), revoke_tokens=revoke_tokens)
    except users.UserError as exc:
        field = "current" if exc.field == "current" else "new"
        return _page(request, status=400, errors={field: _sentence(exc)}, revoke_tokens=revoke_tokens)
    update_session_auth_hash(request, request.user)  # this browser stays signed in; the others are signed out
    done = "Your password is changed. You stay signed in here; everywhere else you are signed out."
    if revoke_tokens:
        done += f" {revoked} API token{'s' if revoked != 1 else ''} revoked."
    messages.success(request, done)
    return redirect("account")
