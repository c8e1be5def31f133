"""The admin site's user pages keep the People page's rule: the last active admin can be neither demoted, disabled
nor deleted there — the page answers with the reason and nothing changes; with another admin the same edits work."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hi.apps.access.principal import role_of
from hi.apps.access.testing import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("hi.urls")]

User = get_user_model()


@pytest.fixture
def root() -> Any:
    user = make_user("root", role="admin")
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def site(root) -> Client:
    client = Client()
    client.force_login(root)
    return client


def change_form(user: Any, **changes: Any) -> dict[str, Any]:
    """What the admin's user page posts for ``user`` as stored, with ``changes`` (booleans: ticked or not)."""
    role = getattr(getattr(user, "hi_role", None), "role", "")
    fields: dict[str, Any] = {"username": user.username, "first_name": "", "last_name": "", "email": "",
                              "is_active": user.is_active, "is_staff": user.is_staff, "is_superuser": user.is_superuser,
                              "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
                              "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
                              "hi_role-TOTAL_FORMS": "1", "hi_role-INITIAL_FORMS": "1", "hi_role-MIN_NUM_FORMS": "0",
                              "hi_role-MAX_NUM_FORMS": "1", "hi_role-0-id": user.hi_role.pk, "hi_role-0-user": user.pk,
                              "hi_role-0-role": role}
    fields.update(changes)
    return {key: ("on" if value is True else value) for key, value in fields.items() if value is not False}


def post_change(site: Client, user: Any, **changes: Any):
    return site.post(f"/admin/auth/user/{user.pk}/change/", change_form(user, **changes))


@pytest.mark.parametrize(("changes", "doing"), [
    ({"is_active": False}, "cannot be disabled"),
    ({"is_superuser": False, "is_staff": False, "hi_role-0-role": "member"}, "cannot be made a member"),
    ({"is_superuser": False, "hi_role-0-role": "viewer"}, "cannot be made a viewer"),
])
def test_the_last_admin_cannot_be_demoted_or_disabled_on_their_page(site, root, changes, doing):
    answer = post_change(site, root, **changes)
    assert answer.status_code == 200  # the form again, with the reason
    html = answer.content.decode()
    assert f"Nothing saved: root is the last active admin and {doing}; make someone else an admin first." in html
    stored = User.objects.get(pk=root.pk)
    assert stored.is_active and stored.is_superuser and role_of(stored) == "admin"


def test_with_another_admin_the_same_edit_is_saved(site, root):
    make_user("ann", role="admin")
    assert post_change(site, root, is_superuser=False, is_staff=False, **{"hi_role-0-role": "member"}).status_code == 302
    assert role_of(User.objects.get(pk=root.pk)) == "member"


def test_an_inactive_or_non_admin_edit_is_not_blocked_by_the_rule(site, root):
    bob = make_user("bob", role="member")
    assert post_change(site, bob, is_active=False).status_code == 302
    assert not User.objects.get(pk=bob.pk).is_active


def test_deleting_the_last_admin_is_refused_before_the_confirmation(site, root):
    for method in (site.get, site.post):
        answer = method(f"/admin/auth/user/{root.pk}/delete/", follow=True)
        assert "Not deleted: root is the last active admin and cannot be deleted" in answer.content.decode()
    assert User.objects.filter(pk=root.pk).exists()


def test_bulk_deleting_every_admin_is_refused_and_others_may_go(site, root):
    ann = make_user("ann", role="admin")
    bob = make_user("bob", role="member")
    action = {"action": "delete_selected_users", "_selected_action": [root.pk, ann.pk, bob.pk]}
    answer = site.post("/admin/auth/user/", action, follow=True)
    assert "Nobody deleted: ann, root are the last active admins and cannot all be deleted" in answer.content.decode()
    assert User.objects.count() == 3
    confirm = site.post("/admin/auth/user/", {**action, "_selected_action": [ann.pk, bob.pk]})
    assert confirm.status_code == 200 and "Are you sure" in confirm.content.decode()
    site.post("/admin/auth/user/", {**action, "_selected_action": [ann.pk, bob.pk], "post": "yes"})
    assert list(User.objects.values_list("username", flat=True)) == ["root"]
    assert "delete_selected" not in site.get("/admin/auth/user/").content.decode().replace("delete_selected_users", "")
