"""The admin site's user pages show and change each person's role (and their tokens, never the values)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import ApiToken, UserRole


class RoleInline(admin.StackedInline):
    model = UserRole
    can_delete = False
    max_num = 1
    verbose_name = "role in hi"


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class HiUserAdmin(UserAdmin):
    inlines = [RoleInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "scope", "hint", "created_at", "expires_at", "last_used_at"]
    list_filter = ["scope"]
    fields = ["name", "user", "scope", "hint", "expires_at", "created_at", "last_used_at"]
    readonly_fields = ["name", "user", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:  # tokens are made where their value can be shown once
        return False
