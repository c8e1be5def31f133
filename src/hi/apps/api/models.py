"""API tokens for scripts: shown once at creation, stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

TOKEN_PREFIX = "hi_"


def hash_token(token: str) -> str:
    """Tokens are long random strings, so a fast unsalted digest is enough to keep them safe at rest."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A script's credential; revoking one deletes it, so an existing row is a valid token."""

    name = models.CharField(max_length=100, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="the first characters, to tell tokens apart")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="api_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def issue(cls, name: str, user: models.Model | None = None) -> tuple[ApiToken, str]:
        """Create a token; the plain value is returned once and never stored."""
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with transaction.atomic():  # a duplicate name fails alone, not the caller's transaction
            token = cls.objects.create(name=name, digest=hash_token(plain), hint=plain[:8], user=user)
        return token, plain

    @classmethod
    def authenticate(cls, plain: str) -> ApiToken | None:
        token = cls.objects.filter(digest=hash_token(plain)).first()
        if token is not None:
            now = timezone.now()
            if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
                cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token
