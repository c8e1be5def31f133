"""Every new user gets a role row (staff → admin, others → member), whoever created them (CLI, admin site, tests)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from .roles import default_role


@receiver(post_save, sender=get_user_model(), dispatch_uid="hi-access-user-role")
def _give_role(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:  # loaddata/restore brings its own rows
        return
    from .models import UserRole

    UserRole.objects.get_or_create(
        user=instance, defaults={"role": default_role(is_superuser=instance.is_superuser, is_staff=instance.is_staff)})
