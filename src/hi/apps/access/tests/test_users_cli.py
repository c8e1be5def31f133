"""``hi users add|list|set-role|disable|enable|set-password|unlock`` (stable interface, all with --json), the last
active admin kept, and the CLI acting as a person."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model

from hi.apps.access.models import ApiToken
from hi.apps.access.testing import make_user
from hi.cli.main import main

pytestmark = pytest.mark.django_db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_add_list_set_role_disable(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough passphrase\n"))
    status, out, _ = run(capsys, "users", "add", "dana", "--role", "member", "--password-stdin", "--json")
    assert status == 0 and json.loads(out)["role"] == "member"
    dana = get_user_model().objects.get(username="dana")
    assert dana.check_password("a long enough passphrase") and not dana.is_staff
    status, _, err = run(capsys, "users", "add", "dana", "--role", "viewer")
    assert status == 1 and "already exists" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    status, _, err = run(capsys, "users", "add", "eve", "--role", "viewer", "--password-stdin")
    assert status == 1 and "password refused" in err and not get_user_model().objects.filter(username="eve").exists()
    assert run(capsys, "users", "set-role", "dana", "admin")[0] == 0
    dana.refresh_from_db()
    assert dana.is_staff
    status, out, _ = run(capsys, "users", "list", "--json")
    assert [(u["username"], u["role"], u["active"]) for u in json.loads(out)] == [("dana", "admin", True)]
    with pytest.raises(SystemExit) as usage:  # argparse: not a role
        main(["users", "set-role", "dana", "owner"])
    assert usage.value.code == 2
    status, _, err = run(capsys, "users", "disable", "dana")  # the only admin: refused, nothing changed
    assert status == 1 and "last active admin" in err and get_user_model().objects.get(username="dana").is_active
    assert run(capsys, "users", "set-role", "dana", "viewer")[0] == 1
    make_user("root", role="admin")
    status, out, _ = run(capsys, "users", "disable", "dana", "--json")
    assert status == 0 and json.loads(out)["active"] is False
    assert run(capsys, "users", "disable", "nobody")[2].strip() == "hi: no user 'nobody'"
    status, out, _ = run(capsys, "users", "enable", "dana", "--json")
    assert status == 0 and json.loads(out)["active"] is True


def test_set_password_typed_or_made_up_and_bad_names(capsys, monkeypatch):
    make_user("root", role="admin")
    status, out, _ = run(capsys, "users", "add", "kim", "--role", "viewer", "--generate-password", "--json")
    made_up = json.loads(out)["password"]
    assert status == 0 and get_user_model().objects.get(username="kim").check_password(made_up)
    monkeypatch.setattr("sys.stdin", io.StringIO("another long passphrase\n"))
    assert run(capsys, "users", "set-password", "kim", "--password-stdin")[0] == 0
    assert get_user_model().objects.get(username="kim").check_password("another long passphrase")
    status, out, _ = run(capsys, "users", "set-password", "kim", "--generate-password")
    assert status == 0 and "shown only once" in out
    assert get_user_model().objects.get(username="kim").check_password(out.strip().splitlines()[-1])
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert "password refused" in run(capsys, "users", "set-password", "kim", "--password-stdin")[2]
    assert "--generate-password" in run(capsys, "users", "set-password", "kim")[2]
    assert "only letters, digits" in run(capsys, "users", "add", "two words", "--role", "viewer")[2]


def test_list_shows_who_is_locked_out_and_unlock_clears_it(capsys, settings):
    from axes.models import AccessAttempt

    make_user("root", role="admin")
    AccessAttempt.objects.create(username="root", ip_address="192.0.2.1", user_agent="test", http_accept="*/*",
                                 path_info="/login/", get_data="", post_data="",
                                 failures_since_start=settings.AXES_FAILURE_LIMIT)
    status, out, _ = run(capsys, "users", "list", "--json")
    assert status == 0 and json.loads(out)[0]["locked_out"] is True
    assert "LOCKED OUT" in run(capsys, "users", "list")[1]
    assert run(capsys, "users", "unlock", "root")[0] == 0
    assert json.loads(run(capsys, "users", "list", "--json")[1])[0]["locked_out"] is False


def test_the_cli_acts_with_hi_cli_users_role(capsys, monkeypatch):
    make_user("vic", role="viewer")
    monkeypatch.setenv("HI_CLI_USER", "vic")
    assert run(capsys, "health")[0] == 0
    status, _, err = run(capsys, "users", "add", "mallory", "--role", "admin")
    assert status == 1 and "not allowed" in err and "viewer" in err
    status, out, _ = run(capsys, "tokens", "create", "mine", "--json")  # their own token, read scope at most
    assert status == 0 and json.loads(out)["scope"] == "read" and json.loads(out)["user"] == "vic"
    status, _, err = run(capsys, "tokens", "create", "theirs", "--user", "root")
    assert status == 1 and "only an admin" in err
    monkeypatch.setenv("HI_CLI_USER", "ghost")
    assert "no such active user" in run(capsys, "health")[2]
    assert ApiToken.objects.count() == 1
