"""The admin site's user pages show and change each person's role (and their tokens, never the values).

They keep the rule the People page and ``hi users`` keep (``hi.apps.access.users``): the last active admin can be
neither demoted nor disabled — nor deleted here, the one way in that can delete people. A change that would break it
is refused with the reason on the page and nothing saved: the user page's check runs in its role inline's
``clean`` (which sees the edited account and the edited role together, inside the admin's saving transaction);
deleting one person or many checks before asking to confirm, and again inside the deletion's transaction (two
admins at once).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from . import users
from .models import ApiToken, UserRole


def _sentence(exc: Exception, outcome: str) -> str:
    """``Nothing saved: root is the last …``: the outcome first (the admin capitalises a message's first letter, which
    must not be a user name's)."""
    text = str(exc)
    return f"{outcome}: {text}" + ("" if text.endswith(".") else ".")


class RoleFormSet(BaseInlineFormSet):
    """The role row, checked together with the edited account (``self.instance``, not saved yet)."""

    def clean(self) -> None:
        super().clean()
        user = self.instance
        if user.pk is None:  # a new person cannot be the last admin leaving
            return
        edited = next((form.cleaned_data for form in self.forms if getattr(form, "cleaned_data", None)), {})
        try:
            users.keep_an_admin_after_edit(user.pk, active=user.is_active, superuser=user.is_superuser,
                                           staff=user.is_staff, role=edited.get("role"))
        except users.UserError as exc:
            raise ValidationError(_sentence(exc, "Nothing saved")) from None


class RoleInline(admin.StackedInline):
    model = UserRole
    formset = RoleFormSet
    can_delete = False
    max_num = 1
    verbose_name = "role in hi"


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.action(description="Delete selected users", permissions=["delete"])
def delete_selected_users(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> HttpResponse | None:
    """Django's own bulk delete (confirmation page and all), refused at once when it would leave no active admin."""
    try:
        with transaction.atomic():
            users.keep_an_admin(list(queryset.select_related("hi_role")), "deleted")
            return delete_selected(modeladmin, request, queryset)
    except users.UserError as exc:
        modeladmin.message_user(request, _sentence(exc, "Nobody deleted"), messages.ERROR)
        return None


@admin.register(User)
class HiUserAdmin(UserAdmin):
    inlines = [RoleInline]
    actions = [delete_selected_users]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        found = super().get_actions(request)
        found.pop("delete_selected", None)  # the site-wide one, without the last-admin check
        return found

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        """No confirmation page for deleting the last active admin: back to their page with the reason."""
        target = self.get_object(request, unquote(object_id))
        try:
            if target is not None:
                with transaction.atomic():
                    users.keep_an_admin([target], "deleted")
            return super().delete_view(request, object_id, extra_context)
        except users.UserError as exc:
            self.message_user(request, _sentence(exc, "Not deleted"), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:auth_user_change", args=[target.pk]))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        users.keep_an_admin([obj], "deleted")  # again, inside the deletion's transaction
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        users.keep_an_admin(list(queryset.select_related("hi_role")), "deleted")
        super().delete_queryset(request, queryset)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "scope", "hint", "created_at", "expires_at", "last_used_at"]
    list_filter = ["scope"]
    fields = ["name", "user", "scope", "hint", "expires_at", "created_at", "last_used_at"]
    readonly_fields = ["name", "user", "hint", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:  # tokens are made where their value can be shown once
        return False
