"""The last active admin stays an admin: also when two admins demote or disable each other at the same moment
(two threads, two database connections; PostgreSQL row locks, SQLite's IMMEDIATE transactions)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hi.apps.access.principal import role_of
from hi.apps.access.testing import make_user
from hi.apps.access.users import UserError, _active_admins, disable_user, set_role

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls) -> list[object]:
    """Run the calls at once, each in its own thread (and connection); what each returned or raised."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            start.wait()
            results[index] = call()
        except Exception as exc:  # the refusal is the expected outcome for one of them
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


@pytest.mark.parametrize("repeat", range(3))
def test_two_admins_demoting_each_other_at_once_leave_one_admin(repeat):
    make_user("ann", role="admin")
    make_user("ben", role="admin")
    results = race(lambda: set_role("ann", "member"), lambda: disable_user("ben"))
    refused = [r for r in results if isinstance(r, UserError)]
    assert len(refused) == 1 and "last active admin" in str(refused[0]), results
    assert _active_admins().count() == 1


def test_a_superuser_counts_as_an_admin_and_a_disabled_one_does_not():
    root = make_user("root", role="member")
    root.is_superuser = True
    root.save()
    assert role_of(root) == "admin"
    make_user("old", role="admin", is_active=False)
    with pytest.raises(UserError, match="last active admin"):
        disable_user("root")
    make_user("new", role="admin")
    set_role("root", "viewer")  # another active admin remains: allowed, and superuser is dropped
    root.refresh_from_db()
    assert not root.is_superuser and role_of(root) == "viewer"
