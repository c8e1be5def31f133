"""People and their roles, as the CLI (``hi users …``), the People page (``/people/``) and the admin site change them.

One set of rules for both ways in: the CLI and the page call these functions and only translate ``UserError``
into their own kind of message, so a rule (password validation, keeping an admin) cannot differ between them.

The admin role and Django's staff flag go together (an admin may use the admin site, nobody else); turning a
person into a member or viewer also drops superuser, so their role is what counts. The last active admin can
be neither demoted nor disabled: without one nobody could manage people or settings from the web any more.
Disabling a person is ``is_active = False``: sign-in is refused, their sessions and tokens are refused at
their next request and open live streams end within seconds (``streams.py`` re-checks ``is_active``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from .models import UserRole
from .principal import role_of
from .roles import Role, default_role

# Generated passwords: 4 groups of 5 from letters and digits that cannot be mistaken for each other when read
# aloud or copied from a screen (no 0/O, 1/l/I): about 100 bits, and easy to type on a phone.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_GROUPS, _GROUP_LENGTH = 4, 5


class UserError(ValueError):
    """A request about users that cannot be honoured; the message says why, ``field`` which input was wrong
    (``name``, ``role``, ``password`` or empty), so a form can show it beside that input."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _role(value: str) -> str:
    if value not in Role.values:
        raise UserError(f"unknown role {value!r} (admin, member or viewer)", "role")
    return value


def find_user(name: str) -> Any:
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise UserError(f"no user {name!r}")
    return user


def _clean_name(raw: str) -> str:
    """Django's own rules for a user name (letters, digits and @.+-_, at most 150), so the admin site agrees."""
    name = (raw or "").strip()
    if not name:
        raise UserError("a user name must not be empty", "name")
    model = get_user_model()
    field = model._meta.get_field(model.USERNAME_FIELD)
    if field.max_length and len(name) > field.max_length:
        raise UserError(f"a user name must be at most {field.max_length} characters", "name")
    try:
        model.username_validator(name)
    except ValidationError:
        raise UserError("a user name may contain only letters, digits and @ . + - _", "name") from None
    return name


def check_password(password: str, user: Any) -> None:
    """Django's password validators (``AUTH_PASSWORD_VALIDATORS``) for ``user``; refused → ``UserError``."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise UserError("password refused: " + " ".join(exc.messages), "password") from None


def generate_password(user: Any = None) -> str:
    """A random password that the validators accept (shown once by whoever asked for it, never stored plain)."""
    while True:
        password = "-".join("".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS))
        try:
            validate_password(password, user)
        except ValidationError:  # pragma: no cover - ~100 random bits are neither common nor like a user name
            continue
        return password


@transaction.atomic
def add_user(name: str, role: str, password: str | None) -> Any:
    """A new active user with ``role``; without a password they cannot sign in until one is set."""
    role = _role(role)
    name = _clean_name(name)
    model = get_user_model()
    if model.objects.filter(username=name).exists():
        raise UserError(f"a user named {name!r} already exists", "name")
    user = model(username=name, is_staff=role == Role.ADMIN)
    if password is not None:
        check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    UserRole.objects.update_or_create(user=user, defaults={"role": role})
    return user


def _active_admins() -> QuerySet:
    """Active users whose role is admin, by ``role_of``'s rule (superuser; else the stored role; else staff)."""
    return get_user_model().objects.filter(is_active=True).filter(
        Q(is_superuser=True) | Q(hi_role__role=Role.ADMIN) | Q(hi_role__isnull=True, is_staff=True))


def _keep_an_admin(user: Any, doing: str) -> None:
    """Refuses to take the admin role away from the last active admin (call inside a transaction)."""
    keep_an_admin([user], doing)


def keep_an_admin(leaving: list[Any], doing: str) -> None:
    """Refuses when every active admin is among ``leaving`` (people about to be demoted, disabled or deleted; call
    inside the transaction that makes the change).

    The admins' rows are locked first (PostgreSQL), and counted by a fresh query after the lock is held, so two
    admins demoting each other at the same moment cannot both succeed.
    """
    admins = [user for user in leaving if user.is_active and role_of(user) == Role.ADMIN]
    if not admins:
        return
    list(_active_admins().select_for_update(of=("self",)).values_list("pk", flat=True))
    if _active_admins().exclude(pk__in=[user.pk for user in admins]).exists():
        return
    if len(admins) == 1:
        raise UserError(f"{admins[0].get_username()} is the last active admin and cannot be {doing}; "
                        "make someone else an admin first")
    names = ", ".join(sorted(user.get_username() for user in admins))
    raise UserError(f"{names} are the last active admins and cannot all be {doing}; "
                    "keep one of them or make someone else an admin first")


def keep_an_admin_after_edit(user_id: int, *, active: bool, superuser: bool, role: str | None, staff: bool) -> None:
    """For an editor that changes several fields of one person at once (the admin site's user page): refuses when
    the stored person is the last active admin and the edited values would end that (``role``: the edited role
    row, None when the person has none, so ``role_of``'s defaults apply). Call inside the saving transaction."""
    new_role = Role.ADMIN if superuser else (role or default_role(is_superuser=superuser, is_staff=staff))
    if active and new_role == Role.ADMIN:
        return
    stored = get_user_model().objects.select_related("hi_role").filter(pk=user_id).first()
    if stored is not None:
        keep_an_admin([stored], "disabled" if not active else f"made a {new_role}")


@transaction.atomic
def set_role(name: str, role: str) -> Any:
    role = _role(role)
    user = find_user(name)
    if role != Role.ADMIN:
        _keep_an_admin(user, f"made a {role}")
    user.is_staff = role == Role.ADMIN
    if role != Role.ADMIN:
        user.is_superuser = False
    user.save(update_fields=["is_staff", "is_superuser"])
    UserRole.objects.update_or_create(user=user, defaults={"role": role})
    return user


@transaction.atomic
def disable_user(name: str) -> Any:
    """Inactive: cannot sign in, their sessions and tokens are refused at the next request (streams within seconds)."""
    user = find_user(name)
    _keep_an_admin(user, "disabled")
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def enable_user(name: str) -> Any:
    """Active again: sign-in, sessions and tokens work as before (a user without a password still needs one)."""
    user = find_user(name)
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def set_password(name: str, password: str) -> Any:
    """A new password, validated as for a new person; every session of theirs ends (Django's session hash)."""
    user = find_user(name)
    check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def change_own_password(request: Any, current: str, new: str, confirm: str, *, revoke_tokens: bool = False) -> int:
    """The signed-in person's own password (the "Your account" page): their current one first, then ``new``
    under the same validators as everywhere else.

    The current password is checked with ``authenticate`` and the request, so django-axes counts a wrong one
    exactly as a failed sign-in of that user name (it appears on the People page, and at the limit both signing in
    and this form answer with the lockout page until it is lifted or the cool-off ends); a guess from a left-open
    session cannot go on for ever. Their sessions elsewhere end (Django's session hash; the caller keeps this one
    with ``update_session_auth_hash``). API tokens are separate credentials for scripts and stay, unless
    ``revoke_tokens``: someone who knew the old password may have made one. Returns how many tokens were revoked.
    """
    from django.contrib.auth import authenticate

    user = request.user
    name = user.get_username()
    if not current:
        raise UserError("type your current password", "current")
    if authenticate(request, username=name, password=current) is None:
        raise UserError("that is not your current password", "current")
    if not new:
        raise UserError("type a new password", "password")
    if new != confirm:
        raise UserError("the two new passwords differ; type the same one twice", "password")
    if new == current:
        raise UserError("the new password is your current one; choose a different one", "password")
    with transaction.atomic():
        set_password(name, new)
        revoked = user.api_tokens.all().delete()[0] if revoke_tokens else 0
    user.refresh_from_db(fields=["password"])
    return revoked


def unlock(name: str) -> int:
    """Lifts a sign-in lockout of a user name (any name: lockouts are kept for names that do not exist too).

    Returns how many failed-attempt records were cleared.
    """
    from axes.utils import reset

    return reset(username=name)


def locked_out_names(names: list[str] | None = None) -> set[str]:
    """User names whose failed sign-ins reach ``HI_LOGIN_FAILURE_LIMIT`` within the lockout time.

    The count axes itself makes for a user name: failures recorded since the cool-off began, summed over
    the addresses they came from. (A lock on a client address is not a person's and is not shown here.)
    """
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt
    from django.conf import settings

    attempts = AccessAttempt.objects.exclude(username=None)
    if names is not None:
        attempts = attempts.filter(username__in=names)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    totals = attempts.values("username").annotate(total=Sum("failures_since_start"))
    return {row["username"] for row in totals if row["total"] >= settings.AXES_FAILURE_LIMIT}


@dataclass(frozen=True)
class Person:
    """One row of the people list (``hi users list``, the People page)."""

    id: int
    username: str
    role: str
    active: bool
    last_login: datetime | None
    tokens: int
    locked_out: bool
    has_password: bool

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "role": self.role, "active": self.active,
                "last_login": self.last_login.isoformat() if self.last_login else None,
                "tokens": self.tokens, "locked_out": self.locked_out}


def _person(user: Any, tokens: int, locked: set[str]) -> Person:
    return Person(id=user.id, username=user.get_username(), role=role_of(user), active=user.is_active,
                  last_login=user.last_login, tokens=tokens, locked_out=user.get_username() in locked,
                  has_password=user.has_usable_password())


def people() -> list[Person]:
    """Everyone, by name: two queries (users with their token counts, and the lockouts)."""
    users = list(get_user_model().objects.order_by("username").select_related("hi_role")
                 .annotate(token_count=Count("api_tokens")))
    locked = locked_out_names()
    return [_person(u, u.token_count, locked) for u in users]


def user_json(user: Any) -> dict[str, Any]:
    return _person(user, user.api_tokens.count(), locked_out_names([user.get_username()])).as_json()


def list_users() -> list[dict[str, Any]]:
    return [person.as_json() for person in people()]
