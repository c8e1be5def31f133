"""Upgrading gives existing users a role and existing tokens an owner and a scope (migrations access 0001-0005)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("api", "0002_remove_apitoken_revoked_at"), ("access", None)]


def test_existing_users_get_roles_and_tokens_get_owners_and_scopes():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[0]).apps
    try:
        User, Token = old.get_model("auth", "User"), old.get_model("api", "ApiToken")
        root = User.objects.create(username="root", is_superuser=True, is_staff=True)
        staff = User.objects.create(username="sam", is_staff=True)
        plain = User.objects.create(username="pat")
        Token.objects.create(name="cli-made", digest="a" * 64, hint="hi_aaaa")  # no owner: before owners
        Token.objects.create(name="pats", digest="b" * 64, hint="hi_bbbb", user=plain)
        Token.objects.create(name="sams", digest="c" * 64, hint="hi_cccc", user=staff)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    from hi.apps.access.models import ApiToken, UserRole

    roles = dict(UserRole.objects.values_list("user__username", "role"))
    assert roles == {"root": "admin", "sam": "admin", "pat": "member"}
    tokens = {t.name: (t.user.username, t.scope) for t in ApiToken.objects.select_related("user")}
    assert tokens == {"cli-made": ("root", "admin"), "pats": ("pat", "control"), "sams": ("sam", "admin")}
    assert root.pk and ApiToken.objects.get(name="cli-made").is_usable()
