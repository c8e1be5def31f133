"""``hi users …`` and ``hi tokens …``, and the gate every command passes first (``authorize``).

The CLI acts as the local operator, an admin (whoever runs it can read the data dir and so the database), unless
``HI_CLI_USER`` names a person: then that person's role applies, as on the web — useful for shells shared with
people who should only read or control. Every command has a rule in ``hi.apps.access.rules.COMMANDS``.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Any

from .commands_data import CommandError
from .output import emit_json, local_time, say, table

CLI_USER_ENV = "HI_CLI_USER"

Command = Callable[..., argparse.ArgumentParser]


def command_path(args: argparse.Namespace) -> str:
    return getattr(args, "cli_path", "")


def cli_principal() -> Any:
    """The principal the CLI acts as: ``HI_CLI_USER``'s, else the operator (the oldest active admin, if any)."""
    from django.contrib.auth import get_user_model

    from hi.apps.access.principal import Principal, user_principal
    from hi.apps.access.roles import Role

    name = os.environ.get(CLI_USER_ENV, "").strip()
    users = get_user_model().objects
    if name:
        user = users.filter(username=name).first()
        principal = user_principal(user)
        if principal is None:
            raise CommandError(f"{CLI_USER_ENV}={name}: no such active user")
        return principal
    admins = users.filter(is_active=True).order_by("-is_superuser", "id")
    operator = next((u for u in admins if user_principal(u) and user_principal(u).is_admin), None)
    return Principal(user=operator, role=Role.ADMIN)


def authorize(args: argparse.Namespace) -> Any:
    """Refuses a command the CLI's principal may not run; returns that principal (None: the operator)."""
    from hi.apps.access.roles import Perm
    from hi.apps.access.rules import COMMANDS

    path = command_path(args)
    needed = COMMANDS.get(path)
    if needed is None:
        raise CommandError(f"'hi {path}' has no access rule (hi.apps.access.rules.COMMANDS); refused")
    if needed == Perm.PUBLIC or not os.environ.get(CLI_USER_ENV, "").strip():
        return None  # the operator: admin, and no database read (restore and vacuum run on a stopped hub)
    principal = cli_principal()
    if not principal.may(needed):
        raise CommandError(f"not allowed: 'hi {path}' needs {needed.name.lower()} access; "
                           f"{principal.describe()} has {principal.level.name.lower()}")
    return principal


# -- hi users ----------------------------------------------------------------------------------------------------
def _users_errors(call: Callable[[], Any]) -> Any:
    from hi.apps.access.users import UserError

    try:
        return call()
    except UserError as exc:
        raise CommandError(str(exc)) from None


def _password_input(args: argparse.Namespace) -> str | None:
    """The password of ``--password-stdin`` (first line of stdin), or None (``--generate-password``, or none)."""
    if not args.password_stdin:
        return None
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError("--password-stdin: no password on standard input")
    return password


def _say_generated(name: str, password: str) -> None:
    say(f"password of {name!r}, shown only once:")
    say(password)


def users_add(args: argparse.Namespace) -> int:
    from hi.apps.access.users import add_user, generate_password, user_json

    password = _password_input(args)
    generated = generate_password() if args.generate_password else None
    user = _users_errors(lambda: add_user(args.name, args.role, password or generated))
    result = user_json(user)
    if args.json:
        emit_json(result | ({"password": generated} if generated else {}))
    else:
        say(f"user {user.get_username()!r} added as {result['role']}"
            + ("" if password or generated else
               " (no password yet: set one with 'hi users set-password NAME --password-stdin|--generate-password')"))
        if generated:
            _say_generated(user.get_username(), generated)
    return 0


def users_list(args: argparse.Namespace) -> int:
    from hi.apps.access.users import list_users

    rows = list_users()
    if args.json:
        emit_json(rows)
        return 0
    say(table(["user", "role", "active", "last login", "tokens", "locked out"],
              [[r["username"], r["role"], "yes" if r["active"] else "no", local_time(r["last_login"]), r["tokens"],
                "yes" if r["locked_out"] else "no"] for r in rows]))
    return 0


def _report_user_change(args: argparse.Namespace, change: Callable[[], Any], sentence: str) -> int:
    """Run one change to a person, then print them as JSON or ``sentence`` (formatted with their fields)."""
    from hi.apps.access.users import user_json

    result = user_json(_users_errors(change))
    if args.json:
        emit_json(result)
    else:
        say(sentence.format(**result))
    return 0


def users_set_role(args: argparse.Namespace) -> int:
    from hi.apps.access.users import set_role

    return _report_user_change(args, lambda: set_role(args.name, args.role), "{username} is now {role}")


def users_disable(args: argparse.Namespace) -> int:
    from hi.apps.access.users import disable_user

    return _report_user_change(args, lambda: disable_user(args.name),
                               "{username} is disabled: cannot sign in; their sessions and tokens are refused")


def users_enable(args: argparse.Namespace) -> int:
    from hi.apps.access.users import enable_user

    return _report_user_change(args, lambda: enable_user(args.name),
                               "{username} is enabled: can sign in again; their tokens work again")


def users_set_password(args: argparse.Namespace) -> int:
    from hi.apps.access.users import generate_password, set_password

    password = _password_input(args)
    if password is None and not args.generate_password:
        raise CommandError("give the new password with --password-stdin, or --generate-password")
    generated = generate_password() if password is None else None
    user = _users_errors(lambda: set_password(args.name, password or generated))
    if args.json:
        emit_json({"username": user.get_username()} | ({"password": generated} if generated else {}))
    else:
        say(f"new password set for {user.get_username()!r}; their open sessions are signed out")
        if generated:
            _say_generated(user.get_username(), generated)
    return 0


def users_unlock(args: argparse.Namespace) -> int:
    from hi.apps.access.users import unlock

    cleared = unlock(args.name)
    if args.json:
        emit_json({"username": args.name, "cleared_attempts": cleared})
    else:
        say(f"sign-in lockout of {args.name!r} lifted ({cleared} failed attempt record(s) cleared)")
    return 0


# -- hi tokens ---------------------------------------------------------------------------------------------------
def _principal_for_tokens() -> Any:
    principal = cli_principal()
    if principal.user is None:
        raise CommandError("no admin account yet: add one with 'hi users add NAME --role admin' (or pass --user)")
    return principal


def tokens_create(args: argparse.Namespace) -> int:
    from hi.apps.access import tokens
    from hi.apps.access.models import TokenError

    try:
        token, plain = tokens.create_token(_principal_for_tokens(), args.name, scope=args.scope,
                                           expires_days=args.expires, for_user=args.user)
    except TokenError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        emit_json({**token.as_dict(), "token": plain})
        return 0
    expiry = f", expires {local_time(token.expires_at.isoformat())}" if token.expires_at else ""
    say(f"API token {token.name!r} of {token.user.get_username()} (scope {token.scope}{expiry}); shown only once, "
        "send it as 'Authorization: Bearer <token>':")
    say(plain)
    return 0


def tokens_list(args: argparse.Namespace) -> int:
    from hi.apps.access import tokens

    rows = tokens.list_tokens(_principal_for_tokens())
    if args.json:
        emit_json(rows)
        return 0
    say(table(["id", "name", "user", "scope", "hint", "created", "expires", "last used"],
              [[r["id"], r["name"], r["user"], r["scope"], r["hint"] + "…", local_time(r["created_at"]),
                local_time(r["expires_at"]) if r["expires_at"] else "never", local_time(r["last_used_at"])]
               for r in rows]))
    return 0


def tokens_revoke(args: argparse.Namespace) -> int:
    from hi.apps.access import tokens
    from hi.apps.access.models import TokenError

    try:
        revoked = tokens.revoke_token(_principal_for_tokens(), args.id_or_name)
    except (tokens.TokenNotFound, TokenError) as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        emit_json(revoked)
    else:
        say(f"token {revoked['name']!r} (id {revoked['id']}) of {revoked['user']} revoked")
    return 0


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of days, got {text!r}") from None
    if not 1 <= value <= 3650:
        raise argparse.ArgumentTypeError("must be between 1 and 3650 days")
    return value


def _password_options(parser: argparse.ArgumentParser) -> None:
    way = parser.add_mutually_exclusive_group()
    way.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    way.add_argument("--generate-password", action="store_true", help="make up a password and print it once")


def add_commands(commands: argparse._SubParsersAction, command: Command, json_flag: argparse.ArgumentParser) -> None:
    """``hi users add|list|set-role|disable|enable|set-password|unlock`` and ``hi tokens create|list|revoke``."""
    roles = ["admin", "member", "viewer"]
    users = commands.add_parser("users", help="people and their roles", parents=[json_flag])
    usub = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = command(usub, "add", users_add, "add a person with a role")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=roles, required=True)
    _password_options(add)
    command(usub, "list", users_list, "every person with role and status")
    set_role = command(usub, "set-role", users_set_role, "change a person's role")
    set_role.add_argument("name", metavar="NAME")
    set_role.add_argument("role", metavar="ROLE", choices=roles)
    command(usub, "disable", users_disable, "stop a person signing in; their tokens stop working").add_argument(
        "name", metavar="NAME")
    command(usub, "enable", users_enable, "let a disabled person sign in again").add_argument("name", metavar="NAME")
    set_password = command(usub, "set-password", users_set_password, "give a person a new password")
    set_password.add_argument("name", metavar="NAME")
    _password_options(set_password)
    command(usub, "unlock", users_unlock, "lift a sign-in lockout after too many wrong passwords").add_argument(
        "name", metavar="NAME")

    tokens = commands.add_parser("tokens", help="API tokens for scripts", parents=[json_flag])
    tsub = tokens.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = command(tsub, "create", tokens_create, "create a token (printed once)")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--user", metavar="USER", help="its owner (default: you; the operator: the first admin)")
    create.add_argument("--scope", choices=["read", "control", "admin"],
                        help="default: the widest the owner's role allows")
    create.add_argument("--expires", type=_days, metavar="DAYS", help="expires after DAYS days (default: never)")
    command(tsub, "list", tokens_list, "tokens (yours; an admin: everyone's), never their values")
    command(tsub, "revoke", tokens_revoke, "revoke a token by id or name").add_argument(
        "id_or_name", metavar="ID_OR_NAME")
