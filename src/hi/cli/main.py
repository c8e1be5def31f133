"""``hi``: the command line of the home information hub.

Every command takes ``--json``; every failure exits non-zero with one line on stderr, no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from . import commands_data as data
from . import commands_ops as ops
from . import commands_places as places
from .bootstrap import (
    ensure_first_account,
    ensure_migrated,
    first_account_lines,
    password_file_lines,
    setup_django,
    write_password_file,
)
from .commands_access import add_commands as add_access_commands
from .commands_access import authorize
from .commands_alarm import add_commands as add_alarm_commands
from .commands_security import add_commands as add_security_commands
from .output import note, use_json_lines

SERVER_COMMANDS = {"run", "worker", "demo", "simulate"}
NO_DATABASE_COMMANDS = {"simulate"}


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (plus exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a number, got {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {port}")
    return port


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hi", description="hi, the home information hub")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    json_flag = _Parser(add_help=False)
    json_flag.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(sub: argparse._SubParsersAction, name: str, handler: Callable[[argparse.Namespace], int],
                help_text: str) -> argparse.ArgumentParser:
        child = sub.add_parser(name, help=help_text, description=help_text, parents=[json_flag])
        child.set_defaults(handler=handler, cli_path=child.prog.removeprefix("hi ").strip())
        return child

    integrations = commands.add_parser("integrations", help="list and manage integrations", parents=[json_flag])
    isub = integrations.add_subparsers(dest="action", metavar="ACTION", required=True)
    command(isub, "list", data.integrations_list, "every integration with status and health")
    configure = command(isub, "configure", data.integrations_configure,
                        "validate settings, test the connection, save")
    configure.add_argument("integration_id", metavar="ID")
    configure.add_argument("settings", nargs="+", metavar="KEY=VALUE")
    configure.add_argument("--no-test", action="store_true", help="save without testing the connection")
    for action in ("enable", "pause", "resume", "disable"):
        child = command(isub, action, data.integrations_lifecycle, f"{action} an integration")
        child.add_argument("integration_id", metavar="ID")
        if action == "disable":
            child.add_argument("--mode", choices=["safe", "all"], default="safe",
                               help="safe: keep entities with user data (detached); all: remove every entity")

    sync = command(commands, "sync", data.sync, "bring the model in line with an integration")
    sync.add_argument("integration_id", metavar="ID")
    sync.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    sync.add_argument("--remove-missing", action="store_true", help="remove (not detach) vanished entities")

    entities = commands.add_parser("entities", help="entities and their states", parents=[json_flag])
    esub = entities.add_subparsers(dest="action", metavar="ACTION", required=True)
    command(esub, "list", data.entities_list, "entities with current values").add_argument(
        "--integration", metavar="ID", help="only this integration's entities")
    command(esub, "show", data.entities_show, "one entity in detail").add_argument(
        "key_or_id", metavar="KEY_OR_ID")
    create = command(esub, "create", places.entities_create, "add a thing by hand (no integration, never synced)")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--type", required=True, metavar="TYPE", help="light, appliance, item, other, …")
    create.add_argument("--room", metavar="ROOM", help="place id, name or path")

    places_parser = commands.add_parser("places", help="rooms, floors and areas", parents=[json_flag])
    psub = places_parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    command(psub, "list", places.places_list, "every place in tree order")
    add = command(psub, "add", places.places_add, "add a place")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--parent", metavar="ID_OR_NAME", help="the place it is in (id, name or path)")
    add.add_argument("--kind", choices=["home", "floor", "room", "area"], help="guessed from the depth if left out")
    assign = command(psub, "assign", places.places_assign, "put an entity in a place (syncs keep it)")
    assign.add_argument("entity", metavar="ENTITY", help="entity id, key or unique name")
    assign.add_argument("room", metavar="ROOM", help="place id, name or path; 'none' for no place")

    control = command(commands, "control", data.control, "ask a controller to set a value")
    control.add_argument("key", metavar="KEY", help="a controller's integration key, e.g. hass:light.kitchen")
    control.add_argument("value", metavar="VALUE")
    control.add_argument("--code", metavar="CODE", default=None,
                         help="the code an alarm panel or lock needs (sent to the device only; never recorded)")

    events = commands.add_parser("events", help="events with durations", parents=[json_flag])
    evsub = events.add_subparsers(dest="action", metavar="ACTION", required=True)
    events_list = command(evsub, "list", data.events_list, "events, newest first")
    events_list.add_argument("--entity", metavar="KEY_OR_ID")
    events_list.add_argument("--since", metavar="ISO8601")
    events_list.add_argument("--limit", type=_positive, default=100)

    add_alarm_commands(commands, command, json_flag, _Parser, _positive)

    command(commands, "health", data.health, "health of every integration and of the worker")

    run = command(commands, "run", _run, "the hub: web app and worker in one process")
    run.add_argument("--host", default=None, help="address to listen on (default: HI_HOST, else 127.0.0.1)")
    run.add_argument("--port", type=_port, default=None, help="port to listen on (default: HI_PORT, else 8000)")
    command(commands, "worker", _worker, "only the background worker")
    demo = command(commands, "demo", _demo, "the hub with simulated Home Assistant, ZoneMinder and weather")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=_port, default=8000)
    simulate = command(commands, "simulate", _simulate, "serve one simulator (hass, zoneminder, weather)")
    simulate.add_argument("name", metavar="NAME")
    simulate.add_argument("--port", type=_port, default=0)
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--profile", default=None)

    add_access_commands(commands, command, json_flag)

    ops.add_commands(commands, command)
    add_security_commands(commands, command, json_flag)

    manage = command(commands, "manage", _manage, "Django management commands (hi manage help)")
    manage.add_argument("arguments", nargs=argparse.REMAINDER)
    return parser


# -- long-running commands ---------------------------------------------------------------------
def _print_first_account(url: str) -> None:
    """The first admin's password: on the terminal when there is one, else in a 0600 file (never a log)."""
    account = ensure_first_account()
    if account is None:
        return
    if sys.stdout.isatty():
        note("first_account", "\n".join(first_account_lines(account, url)), username=account.username,
             password=account.password, url=url)
        return
    path = write_password_file(account, url)
    note("first_account", "\n".join(password_file_lines(account, url, path)), username=account.username,
         password_file=str(path), url=url)


def _run(args: argparse.Namespace) -> int:
    import asyncio

    from .server import ensure_static, listen_socket, serve

    sock = listen_socket(args.host, args.port)
    url = f"http://{args.host}:{sock.getsockname()[1]}/"
    ensure_static()
    _print_first_account(url)
    asyncio.run(serve(sock, on_started=lambda: note("running", f"hi is running at {url} (Ctrl-C to stop)", url=url)))
    return 0


def _worker(args: argparse.Namespace) -> int:
    from .server import run_worker

    run_worker()
    return 0


def _demo(args: argparse.Namespace) -> int:
    import asyncio

    from .demo import seed_places, start_inbox, start_simulators, use_simulated_time_zone, wire_integration
    from .server import ensure_static, listen_socket, serve

    sock = listen_socket(args.host, args.port)
    url = f"http://{args.host}:{sock.getsockname()[1]}/"
    ensure_static()
    data_dir = os.environ["HI_DATA_DIR"]
    if Path(data_dir).resolve() == (Path.cwd() / DEMO_DATA_DIR).resolve():
        hint = "other hi commands run from this folder read it too while ./data holds no hub of its own"
    else:
        hint = f"for other hi commands: HI_DATA_DIR={data_dir} .venv/bin/hi entities list"
    note("data_dir", f"hi demo: data in {data_dir} ({hint})", path=data_dir)
    with contextlib.ExitStack() as stack:
        simulators = start_simulators(stack)
        use_simulated_time_zone(simulators)
        for name, simulator in simulators.items():
            wire_integration(name, simulator)
        seed_places()
        start_inbox(stack)
        _print_first_account(url)
        asyncio.run(serve(sock, on_started=lambda: note("running", f"hi demo is running at {url} (Ctrl-C to stop)",
                                                        url=url)))
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from .server import run_simulator

    run_simulator(args.name, args.port, args.profile, args.host)
    return 0


def _manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hi manage", *args.arguments])
    return 0


# -- entry point -------------------------------------------------------------------------------
DEMO_DATA_DIR = Path("data") / "demo"


def _use_demo_data_when_alone(command: str) -> None:
    """With no HI_DATA_DIR/DATABASE_URL and no hub of its own in ./data, a command reads the demo's data.

    So ``hi entities list`` right after ``make demo`` shows the demo's entities instead of creating an
    empty database beside it; a real hub (./data/hi.sqlite3 exists) is never redirected.
    """
    if command in SERVER_COMMANDS or "HI_DATA_DIR" in os.environ or "DATABASE_URL" in os.environ:
        return
    demo = Path.cwd() / DEMO_DATA_DIR
    if not (Path.cwd() / "data" / "hi.sqlite3").exists() and (demo / "hi.sqlite3").exists():
        os.environ["HI_DATA_DIR"] = str(demo)
        sys.stderr.write(f"hi: using the demo's data in {DEMO_DATA_DIR} (set HI_DATA_DIR to choose another)\n")


def _prepare_environment(args: argparse.Namespace) -> None:
    if args.command == "demo":
        os.environ.setdefault("HI_DATA_DIR", str(Path.cwd() / DEMO_DATA_DIR))
        os.environ.pop("DATABASE_URL", None)  # the demo never touches a real household's database
    _use_demo_data_when_alone(args.command)
    quiet = args.command not in SERVER_COMMANDS
    setup_django(quiet=quiet)
    manage_args = getattr(args, "arguments", None) or []
    skip_migrate = args.command in NO_DATABASE_COMMANDS | ops.NO_MIGRATE or (
        args.command == "manage" and (not manage_args or manage_args[0] in {
            "migrate", "makemigrations", "sqlmigrate", "showmigrations", "help", "--help", "-h"}))
    if not skip_migrate:
        ensure_migrated()
        from django.utils import timezone

        from hi.apps.household import timezones

        timezone.activate(timezones.current().zone)  # tables and messages in the household's local time


def _error_line(exc: BaseException) -> str:
    from hi.integrations.exceptions import ConfigurationError, IntegrationError
    from hi.utils.redaction import redact

    if isinstance(exc, ConfigurationError) and exc.field_errors:
        return "invalid settings: " + "; ".join(f"{k}: {v}" for k, v in exc.field_errors.items())
    if isinstance(exc, IntegrationError):
        return redact(exc.message)
    return redact(str(exc) or type(exc).__name__).splitlines()[0] if str(exc) else type(exc).__name__


def _listen_defaults(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``hi run`` without ``--host``/``--port`` listens where ``HI_HOST``/``HI_PORT`` say; a bad value is a
    usage error naming the variable (one line, exit status 2), never a traceback or a silent default."""
    from django.core.exceptions import ImproperlyConfigured

    from hi.settings.env import env_int, env_text

    try:
        if args.host is None:
            args.host = env_text("HI_HOST", "127.0.0.1")
        if args.port is None:
            args.port = env_int("HI_PORT", 8000, minimum=0, maximum=65535)
    except ImproperlyConfigured as exc:
        parser.error(str(exc))


def _debug_wanted() -> bool:
    """``HI_DEBUG`` as the settings read it (a bad value shows no traceback: the error names it instead)."""
    from django.core.exceptions import ImproperlyConfigured

    from hi.settings.env import env_bool

    try:
        return env_bool("HI_DEBUG", False)
    except ImproperlyConfigured:
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Parse, prepare Django, run one command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "run":
        _listen_defaults(parser, args)
    use_json_lines(bool(getattr(args, "json", False)) and args.command in SERVER_COMMANDS)
    try:
        _prepare_environment(args)
        if args.command not in NO_DATABASE_COMMANDS:
            authorize(args)  # hi.apps.access.rules.COMMANDS: the operator is admin, HI_CLI_USER a person's role
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # Django's manage commands exit this way
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:
        if _debug_wanted():
            traceback.print_exc()
        known = _is_user_error(exc)
        line = _error_line(exc) if known else f"unexpected error: {_error_line(exc)} (set HI_DEBUG=1 for details)"
        sys.stderr.write(f"hi: {line}\n")
        return 1


def _is_user_error(exc: BaseException) -> bool:
    from django.core.exceptions import ImproperlyConfigured

    if isinstance(exc, ImproperlyConfigured):  # a bad HI_* value: the message names it
        return True
    from hi.integrations.exceptions import IntegrationError

    from .server import ServeError

    try:
        from hi.apps.places.operations import PlaceError, PlaceNotFound
        from hi.operations.queries import BadInput, NotFound
    except Exception:  # Django itself did not start: not a user error we can name
        return isinstance(exc, ServeError | data.CommandError)
    from hi.utils.params import ParameterError

    return isinstance(exc, (BadInput, NotFound, ParameterError, PlaceError, PlaceNotFound, IntegrationError, ServeError,
                            data.CommandError, *ops.user_errors()))


if __name__ == "__main__":
    sys.exit(main())
