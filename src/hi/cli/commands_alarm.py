"""``hi mode`` / ``snooze`` / ``alerts`` / ``rules`` / ``channels``: the alarm layer from the command line."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from .commands_data import CommandError
from .output import emit_json, say, table

BY = "cli"


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """The alarm layer's validation and look-up errors become one clear line and exit status 1."""
    from hi.apps.alarm.alerts import AlertError, AlertNotFound
    from hi.apps.alarm.conditions import RuleError
    from hi.apps.alarm.modes import ModeError
    from hi.apps.alarm.notify import ChannelError, ChannelNotFound
    from hi.apps.alarm.rules import RuleNotFound

    try:
        yield
    except (AlertError, AlertNotFound, RuleError, ModeError, ChannelError, ChannelNotFound, RuleNotFound) as exc:
        raise CommandError(str(exc)) from None


def _out(args: argparse.Namespace, data: Any, text: Callable[[Any], str]) -> int:
    if args.json:
        emit_json(data)
    else:
        say(text(data))
    return 0


def _mode_text(data: dict[str, Any]) -> str:
    lines = [f"mode: {data['mode']}" + (f" (set by {data['changed_by']})" if data.get("changed_by") else "")]
    if data.get("pending_mode"):
        lines.append(f"{data['pending_mode']} from {data['pending_at']} (exit delay)")
    if data.get("revert_mode"):
        lines.append(f"back to {data['revert_mode']} at {data['revert_at']}")
    if data.get("snooze_until"):
        lines.append(f"snoozed until {data['snooze_until']} (life safety still alerts)")
    return "\n".join(lines)


def mode(args: argparse.Namespace) -> int:
    from hi.apps.alarm import modes

    with _user_errors():
        if getattr(args, "action", None) == "set":
            data = modes.set_mode(args.mode, BY, for_minutes=args.for_minutes)
        else:
            data = modes.mode_json()
    return _out(args, data, _mode_text)


def snooze(args: argparse.Namespace) -> int:
    from hi.apps.alarm import modes

    with _user_errors():
        data = modes.snooze(args.minutes, BY)
    return _out(args, data, _mode_text)


def _alerts_text(rows: list[dict[str, Any]]) -> str:
    return table(["id", "level", "status", "rule", "entities", "last fired", "acknowledged by"],
                 [[a["id"], a["level"], a["status"], a["rule_name"], ", ".join(e["name"] for e in a["entities"]),
                   a["last_fired_at"], a["acknowledged_by"] or ""] for a in rows])


def alerts_list(args: argparse.Namespace) -> int:
    from hi.apps.alarm import alerts

    return _out(args, alerts.list_alerts(open_only=args.open), _alerts_text)


def alerts_ack(args: argparse.Namespace) -> int:
    from hi.apps.alarm import alerts

    with _user_errors():
        data = alerts.acknowledge(args.alert_id, BY, args.note or "")
    return _out(args, data, lambda a: f"alert {a['id']} acknowledged")


def _rules_text(rows: list[dict[str, Any]]) -> str:
    return table(["id", "name", "level", "modes", "enabled", "default"],
                 [[r["id"], r["name"], r["level"], "all (life safety)" if r["life_safety"] else ",".join(r["modes"]),
                   "yes" if r["enabled"] else "no", "yes" if r["is_default"] else ""] for r in rows])


def rules_list(args: argparse.Namespace) -> int:
    from hi.apps.alarm import rules

    return _out(args, rules.list_rules(), _rules_text)


def rules_show(args: argparse.Namespace) -> int:
    from hi.apps.alarm import rules

    with _user_errors():
        data = rules.rule_json(rules.get_rule(args.rule_id))
    return _out(args, data, lambda r: "\n".join(f"{k}: {v}" for k, v in r.items()))


def rules_enable(args: argparse.Namespace) -> int:
    from hi.apps.alarm import rules

    with _user_errors():
        data = rules.set_enabled(args.rule_id, args.action == "enable")
    return _out(args, data, lambda r: f"rule {r['id']} ({r['name']}) {'enabled' if r['enabled'] else 'disabled'}")


def _channels_text(rows: list[dict[str, Any]]) -> str:
    return table(["name", "kind", "level", "modes"],
                 [[c["name"], c["kind"], c["min_level"], ",".join(c["modes"]) or "all"] for c in rows])


def channels_list(args: argparse.Namespace) -> int:
    from hi.apps.alarm import notify

    return _out(args, notify.list_channels(), _channels_text)


def channels_add(args: argparse.Namespace) -> int:
    from hi.apps.alarm import notify

    with _user_errors():
        data = notify.add_channel(args.name, args.url, args.level)
    return _out(args, data, lambda c: f"channel {c['name']} added ({c['kind']}, {c['min_level']} and above)")


def channels_test(args: argparse.Namespace) -> int:
    from hi.apps.alarm import notify

    with _user_errors():
        data = notify.send_test(args.name, BY)
    _out(args, data, lambda r: f"test to {r['channel']}: sent" if r["ok"] else f"test to {r['channel']}: failed")
    if not data["ok"]:
        raise CommandError(f"channel {args.name}: {data['error']}")
    return 0


def channels_remove(args: argparse.Namespace) -> int:
    from hi.apps.alarm import notify

    with _user_errors():
        notify.remove_channel(args.name)
    return _out(args, {"removed": args.name}, lambda d: f"channel {d['removed']} removed")


def add_commands(commands: argparse._SubParsersAction, command: Callable[..., argparse.ArgumentParser],
                 json_flag: argparse.ArgumentParser, parser_class: type[argparse.ArgumentParser],
                 whole: Callable[[str], int]) -> None:
    """Register the alarm commands on ``hi``'s parser (``command`` is main's helper)."""
    mode_parser = command(commands, "mode", mode, "show or set the security mode")
    msub = mode_parser.add_subparsers(dest="action", metavar="ACTION", parser_class=parser_class)
    mode_set = msub.add_parser("set", help="set the mode", parents=[json_flag])
    mode_set.set_defaults(cli_path="mode set")  # its own access rule (hi.apps.access.rules.COMMANDS), not "mode"'s
    mode_set.add_argument("mode", choices=["disabled", "day", "night", "away"])
    mode_set.add_argument("--for", dest="for_minutes", type=whole, metavar="MINUTES",
                          help="go back to the previous mode after MINUTES")
    command(commands, "snooze", snooze, "silence non-life-safety alerts for MINUTES (0 ends it)").add_argument(
        "minutes", type=lambda text: whole(text) if text != "0" else 0, metavar="MINUTES")

    alerts = commands.add_parser("alerts", help="alerts and acknowledging them", parents=[json_flag])
    asub = alerts.add_subparsers(dest="action", metavar="ACTION", required=True)
    command(asub, "list", alerts_list, "alerts, newest first").add_argument(
        "--open", action="store_true", help="only open alerts")
    ack = command(asub, "ack", alerts_ack, "acknowledge an alert")
    ack.add_argument("alert_id", metavar="ID", type=whole)
    ack.add_argument("--note", metavar="TEXT")

    rules = commands.add_parser("rules", help="alarm rules", parents=[json_flag])
    rsub = rules.add_subparsers(dest="action", metavar="ACTION", required=True)
    command(rsub, "list", rules_list, "every rule")
    command(rsub, "show", rules_show, "one rule as JSON").add_argument("rule_id", metavar="ID", type=whole)
    for action in ("enable", "disable"):
        command(rsub, action, rules_enable, f"{action} a rule").add_argument("rule_id", metavar="ID", type=whole)

    channels = commands.add_parser("channels", help="notification channels (Apprise URLs)", parents=[json_flag])
    csub = channels.add_subparsers(dest="action", metavar="ACTION", required=True)
    command(csub, "list", channels_list, "channels (never their URLs)")
    add = command(csub, "add", channels_add, "add a channel; the URL is stored as a secret")
    add.add_argument("name", metavar="NAME")
    add.add_argument("url", metavar="URL", help="an Apprise URL, e.g. mailto://user:pass@example.com")
    add.add_argument("--level", choices=["info", "warning", "critical"], default="warning")
    command(csub, "test", channels_test, "send a test notification and report the outcome").add_argument(
        "name", metavar="NAME")
    command(csub, "remove", channels_remove, "remove a channel").add_argument("name", metavar="NAME")
