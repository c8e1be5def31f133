"""``hi users add|list|set-role|disable`` (stable interface, all with --json) and the CLI acting as a person."""

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
    status, out, _ = run(capsys, "users", "disable", "dana", "--json")
    assert status == 0 and json.loads(out)["active"] is False
    assert run(capsys, "users", "disable", "nobody")[2].strip() == "hi: no user 'nobody'"


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
