"""People and their roles, as the CLI (``hi users …``) and the admin site change them.

The admin role and Django's staff flag go together (an admin may use the admin site, nobody else); turning a
person into a member or viewer also drops superuser, so their role is what counts.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import UserRole
from .principal import role_of
from .roles import Role


class UserError(ValueError):
    """A request about users that cannot be honoured; the message says why."""


def _role(value: str) -> str:
    if value not in Role.values:
        raise UserError(f"unknown role {value!r} (admin, member or viewer)")
    return value


def find_user(name: str) -> Any:
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise UserError(f"no user {name!r}")
    return user


@transaction.atomic
def add_user(name: str, role: str, password: str | None) -> Any:
    """A new active user with ``role``; without a password they cannot sign in until one is set."""
    role = _role(role)
    name = (name or "").strip()
    if not name:
        raise UserError("a user name must not be empty")
    model = get_user_model()
    if model.objects.filter(username=name).exists():
        raise UserError(f"a user named {name!r} already exists")
    user = model(username=name, is_staff=role == Role.ADMIN)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise UserError("password refused: " + " ".join(exc.messages)) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    UserRole.objects.update_or_create(user=user, defaults={"role": role})
    return user


@transaction.atomic
def set_role(name: str, role: str) -> Any:
    role = _role(role)
    user = find_user(name)
    user.is_staff = role == Role.ADMIN
    if role != Role.ADMIN:
        user.is_superuser = False
    user.save(update_fields=["is_staff", "is_superuser"])
    UserRole.objects.update_or_create(user=user, defaults={"role": role})
    return user


def disable_user(name: str) -> Any:
    """Inactive: cannot sign in, their sessions and tokens are refused at the next request (streams within seconds)."""
    user = find_user(name)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def user_json(user: Any) -> dict[str, Any]:
    return {"id": user.id, "username": user.get_username(), "role": role_of(user), "active": user.is_active,
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "tokens": user.api_tokens.count()}


def list_users() -> list[dict[str, Any]]:
    return [user_json(u) for u in get_user_model().objects.order_by("username").select_related("hi_role")]
