"""``/people/`` (admins only: hi.apps.access.rules): who may sign in, with which role; add people, change a role,
disable or enable, set a new password, lift a sign-in lockout.

Every change goes through ``hi.apps.access.users``, the functions ``hi users …`` calls, so the page and the CLI
share their rules (password validation, the last active admin kept). A password the hub makes up is rendered
in the answer to the POST that made it — never put in a URL, a message or the session, and the page is not
cached — so it is shown exactly once. Refusals re-render the page with the reason beside the form (400).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from hi.apps.access import users
from hi.apps.access.roles import Role

EMPTY_FORM = {"username": "", "role": Role.MEMBER}
FIELDS = {"name": "username", "role": "role", "password": "password"}  # UserError.field -> the form's input


def _page(request: HttpRequest, *, status: int = 200, form: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, row_error: dict[str, Any] | None = None,
          shown_password: dict[str, str] | None = None) -> HttpResponse:
    context = {"people": users.people(), "roles": Role.values, "me": request.user.pk,
               "form": form or EMPTY_FORM, "errors": errors or {}, "row_error": row_error or {},
               "shown_password": shown_password}
    response = render(request, "web/people.html", context, status=status)
    response["Cache-Control"] = "no-store"  # a made-up password is shown once: never from a cache
    return response


def _new_password(request: HttpRequest) -> tuple[str | None, str]:
    """The typed password (None: make one up), or an error when the two fields differ."""
    password = request.POST.get("password", "")
    confirm = request.POST.get("password_confirm", "")
    if not password and not confirm:
        return None, ""
    if password != confirm:
        return None, "The two passwords differ; type the same one twice (or leave both empty to make one up)."
    return password, ""


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """The list; a POST adds a person."""
    if request.method == "GET":
        return _page(request)
    form = {"username": request.POST.get("username", "").strip(), "role": request.POST.get("role", "")}
    password, mismatch = _new_password(request)
    if mismatch:
        return _page(request, status=400, form=form, errors={"password": mismatch})
    made_up = users.generate_password() if password is None else None
    try:
        user = users.add_user(form["username"], form["role"], password or made_up)
    except users.UserError as exc:
        return _page(request, status=400, form=form, errors={FIELDS.get(exc.field, "username"): _sentence(exc)})
    name = user.get_username()
    if made_up:
        return _page(request, shown_password={"username": name, "password": made_up, "what": "added"})
    messages.success(request, f"{name} added as {form['role']}; they can sign in with the password you typed.")
    return redirect("people")


def _target(user_id: int) -> Any:
    return get_object_or_404(get_user_model(), pk=user_id)


def _refused(request: HttpRequest, user_id: int, exc: users.UserError) -> HttpResponse:
    return _page(request, status=400, row_error={"id": user_id, "message": _sentence(exc)})


def _sentence(exc: Exception) -> str:
    text = str(exc)
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


@require_POST
def change_role(request: HttpRequest, user_id: int) -> HttpResponse:
    name = _target(user_id).get_username()
    role = request.POST.get("role", "")
    try:
        users.set_role(name, role)
    except users.UserError as exc:
        return _refused(request, user_id, exc)
    messages.success(request, f"{name} is now {role}.")
    return redirect("people")


@require_POST
def disable(request: HttpRequest, user_id: int) -> HttpResponse:
    name = _target(user_id).get_username()
    try:
        users.disable_user(name)
    except users.UserError as exc:
        return _refused(request, user_id, exc)
    messages.success(request, f"{name} is disabled: they cannot sign in, their open pages stop updating and "
                              "their tokens are refused.")
    return redirect("people")


@require_POST
def enable(request: HttpRequest, user_id: int) -> HttpResponse:
    name = users.enable_user(_target(user_id).get_username()).get_username()
    messages.success(request, f"{name} can sign in again.")
    return redirect("people")


@require_POST
def password(request: HttpRequest, user_id: int) -> HttpResponse:
    """A new password (typed twice, or made up and shown once); the person's other sessions end."""
    name = _target(user_id).get_username()
    typed, mismatch = _new_password(request)
    if mismatch:
        return _page(request, status=400, row_error={"id": user_id, "message": mismatch})
    made_up = users.generate_password() if typed is None else None
    try:
        user = users.set_password(name, typed or made_up)
    except users.UserError as exc:
        return _refused(request, user_id, exc)
    if user.pk == request.user.pk:
        update_session_auth_hash(request, user)  # an admin changing their own password stays signed in here
    if made_up:
        return _page(request, shown_password={"username": name, "password": made_up, "what": "changed"})
    messages.success(request, f"New password set for {name}; they are signed out everywhere else.")
    return redirect("people")


@require_POST
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    name = _target(user_id).get_username()
    users.unlock(name)
    messages.success(request, f"{name} may try to sign in again (the lockout after wrong passwords is lifted).")
    return redirect("people")
