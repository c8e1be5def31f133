"""Every URL route and every CLI command against every kind of caller: the access map is complete and enforced.

A route or command without an explicit rule in ``hi.apps.access.rules`` fails here. For each route and each
caller — anonymous, viewer, member, admin, and tokens of each scope (plus an admin-scope token whose owner was
demoted to viewer) — a refused request goes through the whole middleware stack with the test client (401 for the
API, a login redirect for pages, 403 for a role or scope too narrow); an allowed one is checked at the access
middleware itself (running every view with made-up ids would only test 404s, and the streams never end).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator

import pytest
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

from hi.apps.access.middleware import AccessMiddleware
from hi.apps.access.models import ApiToken
from hi.apps.access.roles import Perm
from hi.apps.access.rules import COMMANDS, PREFIXES, ROUTES, TOKEN_ROUTES, needed, rule_for
from hi.apps.access.testing import make_user
from hi.apps.access.users import set_role
from hi.cli.main import build_parser

pytestmark = pytest.mark.django_db

# What each kind of caller may do, written out (not derived from the code under test).
LEVEL = {"viewer": Perm.READ, "member": Perm.CONTROL, "admin": Perm.ADMIN,
         "token:read": Perm.READ, "token:control": Perm.CONTROL, "token:admin": Perm.ADMIN,
         "token:admin-of-demoted": Perm.READ}
CALLERS = ["anonymous", *LEVEL]


def walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def all_routes() -> list[str]:
    return sorted({route for route, _ in walk(get_resolver().url_patterns)})


def sample_url(route: str) -> str | None:
    """A concrete path for a route (made-up ids), or None for regex routes (some admin pages)."""
    if route.startswith("^") or "(?P" in route:
        return None
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<path:\w+>", "a/b", path)
    path = re.sub(r"<(?:str:|slug:)?\w+>", "x1", path)
    url = "/" + path
    try:
        if resolve(url).route != route:
            return None
    except Resolver404:
        return None
    return url


def expected(caller: str, route: str, method: str) -> str:
    need = needed(rule_for(route), method)
    if need == Perm.PUBLIC:
        return "allowed"
    is_api = route.startswith("api/")
    token = caller.startswith("token:")
    if caller == "anonymous" or (token and not (is_api or route in TOKEN_ROUTES)):
        return "401" if is_api else "login"
    level = LEVEL[caller]
    if need == Perm.SELF:
        return "allowed" if level >= (Perm.ADMIN if token else Perm.READ) else "403"
    return "allowed" if level >= need else "403"


def test_every_route_has_an_explicit_rule_and_every_rule_a_route():
    routes = all_routes()
    missing = [route for route in routes if rule_for(route) is None]
    assert not missing, f"routes without an access rule (add them to hi.apps.access.rules.ROUTES): {missing}"
    stale = sorted(set(ROUTES) - set(routes))
    assert not stale, f"rules for routes that no longer exist: {stale}"
    assert all(any(r.startswith(p) for r in routes) for p in PREFIXES)


@pytest.fixture
def callers() -> dict[str, dict]:
    """Each caller as the headers/session the test client sends, and the user the middleware sees."""
    users = {role: make_user(role, role=role) for role in ("viewer", "member", "admin")}
    demoted = make_user("demoted", role="admin")
    tokens = {f"token:{scope}": ApiToken.issue(f"t-{scope}", user=users["admin"], scope=scope)[1]
              for scope in ("read", "control", "admin")}
    tokens["token:admin-of-demoted"] = ApiToken.issue("t", user=demoted, scope="admin")[1]
    set_role("demoted", "viewer")  # the token keeps its admin scope; it acts as a viewer now
    out: dict[str, dict] = {"anonymous": {}}
    for role, user in users.items():
        out[role] = {"user": user}
    for name, plain in tokens.items():
        out[name] = {"headers": {"HTTP_AUTHORIZATION": f"Bearer {plain}"}}
    return out


def _client(caller: dict) -> Client:
    client = Client()
    if "user" in caller:
        client.force_login(caller["user"])
    return client


def _middleware_allows(caller: dict, url: str, method: str) -> bool:
    from django.contrib.auth.models import AnonymousUser

    request = getattr(RequestFactory(), method.lower())(url, **caller.get("headers", {}))
    request.user = caller.get("user") or AnonymousUser()
    request.session = Client().session
    match = resolve(url)
    request.resolver_match = match
    answer = AccessMiddleware(lambda r: None).process_view(request, match.func, match.args, match.kwargs)
    return answer is None


@pytest.mark.parametrize("name", CALLERS)
def test_every_route_against_every_caller(name, callers):
    checked = refused = 0
    problems = []
    routes = [(route, sample_url(route)) for route in all_routes()]
    assert sum(1 for _, url in routes if url) > 100
    caller = callers[name]
    client = _client(caller)
    for route, url in routes:
        if url is None:
            continue
        methods = ["GET", "POST", "PUT", "DELETE"] if route.startswith("api/") else ["GET", "POST"]
        for method in methods:
            want = expected(name, route, method)
            checked += 1
            if want == "allowed":
                if not _middleware_allows(caller, url, method):
                    problems.append(f"{name} {method} /{route}: refused, should be allowed")
                continue
            refused += 1
            response = getattr(client, method.lower())(url, **caller.get("headers", {}))
            got = str(response.status_code)
            if want == "login":
                ok = response.status_code == 302 and response["Location"].startswith(("/login/", "/admin/login/"))
            else:
                ok = got == want
            if not ok:
                problems.append(f"{name} {method} /{route}: {got}, expected {want}")
    assert not problems, "\n".join(problems[:40])
    assert checked > 300 and (refused > 50 or name == "admin")  # the whole row ran


def test_a_route_without_a_rule_is_refused(settings, callers):
    from hi.apps.access import rules

    saved = rules.ROUTES.pop("events/")
    try:
        response = _client(callers["admin"]).get("/events/")
    finally:
        rules.ROUTES["events/"] = saved
    assert response.status_code == 403 and b"no access rule" in response.content


# -- the command line -------------------------------------------------------------------------------------------
def cli_commands() -> dict[str, argparse.ArgumentParser]:
    found: dict[str, argparse.ArgumentParser] = {}

    def visit(parser: argparse.ArgumentParser) -> None:
        path = parser.get_default("cli_path")
        own = parser.prog.removeprefix("hi").strip()
        if path is not None or parser.get_default("handler") is not None:
            # a command is checked under its own path, never its parent's ("mode set" is not "mode")
            assert path == own, f"'hi {own}' would be checked as 'hi {path}': give it its own cli_path"
            found[path] = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for child in action.choices.values():
                    visit(child)

    visit(build_parser())
    return found


def sample_argv(path: str, parser: argparse.ArgumentParser) -> list[str]:
    argv = path.split()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.dest in {"help", "json"}:
            continue
        value = str(action.choices[0]) if action.choices else "1"
        if not action.option_strings:
            if action.nargs != argparse.REMAINDER:
                argv.append(value)
        elif action.required:
            argv += [action.option_strings[0], value]
    return argv


def test_every_cli_command_has_an_explicit_rule_and_every_rule_a_command():
    commands = cli_commands()
    assert len(commands) > 40
    missing = sorted(set(commands) - set(COMMANDS))
    assert not missing, f"CLI commands without an access rule (hi.apps.access.rules.COMMANDS): {missing}"
    assert not sorted(set(COMMANDS) - set(commands)), "rules for CLI commands that no longer exist"


@pytest.mark.parametrize("role", ["viewer", "member", "admin"])
def test_every_cli_command_against_every_role(role, monkeypatch, capsys):
    from hi.cli.commands_access import authorize
    from hi.cli.main import main

    make_user("someone", role=role)
    monkeypatch.setenv("HI_CLI_USER", "someone")
    level = LEVEL[role]
    refused = 0
    for path, parser in cli_commands().items():
        need = COMMANDS[path]
        allowed = need == Perm.PUBLIC or level >= max(need, Perm.READ)
        argv = sample_argv(path, parser)
        if allowed:
            authorize(build_parser().parse_args(argv))  # raises when refused
            continue
        refused += 1
        status = main(argv)
        err = capsys.readouterr().err
        assert status == 1 and "not allowed" in err, (path, status, err)
    assert refused == sum(1 for need in COMMANDS.values() if need > level and need != Perm.SELF)
