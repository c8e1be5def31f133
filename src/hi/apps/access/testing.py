"""Test helpers: people with a role, and tokens with a scope (used by tests across the project)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from .models import ApiToken, UserRole

PASSWORD = "correct horse battery"


def make_user(username: str = "alice", role: str = "admin", password: str = PASSWORD, **fields: Any) -> Any:
    """A user with ``role`` (admin users are staff, as ``hi users set-role`` makes them)."""
    user = get_user_model().objects.create_user(username, password=password, is_staff=role == "admin", **fields)
    UserRole.objects.update_or_create(user=user, defaults={"role": role})
    return user


def issue_token(name: str = "tests", *, role: str = "admin", scope: str | None = None,
                username: str | None = None) -> str:
    """The plain value of a new token of a (new or existing) user with ``role``."""
    username = username or f"token-owner-{role}"
    user = get_user_model().objects.filter(username=username).first() or make_user(username, role=role)
    return ApiToken.issue(name, user=user, scope=scope)[1]


def token_owner(role: str = "admin") -> Any:
    """One user per role to own tests' tokens (created on first use)."""
    username = f"token-owner-{role}"
    return get_user_model().objects.filter(username=username).first() or make_user(username, role=role)
