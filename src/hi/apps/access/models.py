"""A person's role, kept beside Django's user (the user model stays Django's own), and API tokens.

API tokens are for scripts: shown once at creation, stored only as a SHA-256 digest. Each belongs to a user
and carries a scope (read, control, admin) no wider than that user's role; it acts with the narrower of the
two. A token of an inactive user, an expired one, or one without a user is refused everywhere
(``authenticate`` returns None; open streams re-check with ``still_valid``). Revoking deletes the row.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .roles import ROLE_LEVEL, SCOPE_LEVEL, Role, Scope, default_role

TOKEN_PREFIX = "hi_"
NAME_MAX = 100
MAX_EXPIRY_DAYS = 3650


class UserRole(models.Model):
    """One row per user; ``hi.apps.access.signals`` creates it for every new user (staff → admin, others → member)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hi_role")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


def role_of(user: Any) -> str:
    """A user's role: superusers are always admin; else their stored role (or the default for staff/others)."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise ValueError("an anonymous visitor has no role")
    if user.is_superuser:
        return Role.ADMIN
    try:
        return user.hi_role.role
    except UserRole.DoesNotExist:
        return default_role(is_superuser=user.is_superuser, is_staff=user.is_staff)


class TokenError(ValueError):
    """A token request that cannot be honoured (bad name, duplicate, scope wider than the role); the message says why."""


def hash_token(token: str) -> str:
    """Tokens are long random strings, so a fast unsalted digest is enough to keep them safe at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


def clean_token_name(raw: str) -> str:
    """The name as stored: trimmed, 1 to 100 characters, no control characters, not only digits (ids are numbers)."""
    name = (raw or "").strip()
    if not name:
        raise TokenError("a token name must not be empty or only spaces")
    if len(name) > NAME_MAX:
        raise TokenError(f"a token name must be at most {NAME_MAX} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise TokenError("a token name must not contain control characters")
    if name.isdigit():
        raise TokenError("a token name must not be only digits (numbers are token ids)")
    return name


class ApiToken(models.Model):
    """A script's credential; an existing row is a candidate, valid only while ``is_usable()``."""

    name = models.CharField(max_length=NAME_MAX)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="the first characters, to tell tokens apart")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="api_tokens")
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "api_apitoken"  # the api app created the table; the model moved here (migration access 0002)
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="api_token_name_unique_per_user")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def issue(cls, name: str, *, user: Any, scope: str | None = None,
              expires_days: int | None = None) -> tuple[ApiToken, str]:
        """Create a token for ``user``; the plain value is returned once and never stored.

        ``scope`` defaults to the widest the user's role allows and may not exceed it.
        """
        name = clean_token_name(name)
        if user is None:
            raise TokenError("a token needs a user")
        role = role_of(user)
        role_level = ROLE_LEVEL[role]
        if scope is None:
            scope = next(s for s in (Scope.ADMIN, Scope.CONTROL, Scope.READ) if SCOPE_LEVEL[s] <= role_level)
        if scope not in SCOPE_LEVEL:
            raise TokenError(f"unknown scope {scope!r} (read, control or admin)")
        if SCOPE_LEVEL[scope] > role_level:
            raise TokenError(f"scope {scope!r} is wider than {user.get_username()}'s role ({role})")
        expires_at = None
        if expires_days is not None:
            if not 1 <= expires_days <= MAX_EXPIRY_DAYS:
                raise TokenError(f"expiry must be between 1 and {MAX_EXPIRY_DAYS} days")
            expires_at = timezone.now() + timedelta(days=expires_days)
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            with transaction.atomic():  # a duplicate name fails alone, not the caller's transaction
                token = cls.objects.create(name=name, digest=hash_token(plain), hint=plain[:8], user=user,
                                           scope=scope, expires_at=expires_at)
        except IntegrityError as exc:
            raise TokenError(f"{user.get_username()} already has a token named {name!r}") from exc
        return token, plain

    def is_usable(self, now: Any = None) -> bool:
        """Not expired, and owned by an active user."""
        now = now or timezone.now()
        if self.expires_at is not None and self.expires_at <= now:
            return False
        return self.user is not None and self.user.is_active

    @classmethod
    def authenticate(cls, plain: str) -> ApiToken | None:
        token = cls.objects.select_related("user", "user__hi_role").filter(digest=hash_token(plain)).first()
        if token is None or not token.is_usable():
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token

    @classmethod
    def still_valid(cls, token_id: int) -> bool:
        """For open streams: the token still exists and is usable (one small query)."""
        token = cls.objects.select_related("user").filter(pk=token_id).first()
        return token is not None and token.is_usable()

    def as_dict(self) -> dict[str, Any]:
        """What lists show (never the value or digest)."""
        return {"id": self.id, "name": self.name, "user": self.user.get_username() if self.user else None,
                "scope": self.scope, "hint": self.hint,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None}
