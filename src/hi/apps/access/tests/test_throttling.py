"""Finding 4: login throttling by user name and by client address on /login/ and /admin/login/, with a clear
message and an admin unlock (``hi users unlock NAME``). Reported: 40 wrong passwords, then the right one, all let
through."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from hi.apps.access.testing import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("hi.urls")]


def attempt(path: str, username: str, password: str, address: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_wrong_passwords_lock_the_account_even_for_the_right_one(path):
    make_user("root", role="admin")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(path, "root", "wrong").status_code == 200  # the form again, with its error
    locked = attempt(path, "root", "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode() and "hi users unlock" in locked.content.decode()
    assert attempt(path, "root", PASSWORD).status_code == 429  # the right password does not get through


def test_one_address_trying_many_names_is_locked_out():
    make_user("root", role="admin")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("/login/", f"guess{n}", "wrong", address="192.0.2.9")
    assert attempt("/login/", "root", PASSWORD, address="192.0.2.9").status_code == 429
    assert attempt("/login/", "root", PASSWORD, address="192.0.2.10").status_code == 302  # other addresses


def test_one_name_tried_from_many_addresses_is_locked_and_the_admin_unlocks_it(capsys):
    from hi.cli.main import main

    make_user("root", role="admin")
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt("/login/", "root", "wrong", address=f"198.51.100.{n + 1}")
    assert attempt("/login/", "root", PASSWORD, address="203.0.113.7").status_code == 429
    assert main(["users", "unlock", "root", "--json"]) == 0
    assert '"cleared_attempts"' in capsys.readouterr().out
    assert attempt("/login/", "root", PASSWORD, address="203.0.113.7").status_code == 302


def test_a_success_before_the_limit_resets_the_count():
    make_user("root", role="admin")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("/login/", "root", "wrong")
    assert attempt("/login/", "root", PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt("/login/", "root", "wrong")
    assert attempt("/login/", "root", PASSWORD).status_code == 302
