"""One-shot commands over the hub's data: integrations, sync, entities, control, events, health."""

from __future__ import annotations

import argparse
from typing import Any

from .output import cell_value, emit_json, format_value, local_time, say, table


class CommandError(Exception):
    """A failure the user can fix; printed as one line, exit status 1."""


def integrations_list(args: argparse.Namespace) -> int:
    from hi.operations.actions import list_integrations

    rows = list_integrations()
    if args.json:
        emit_json(rows)
        return 0
    say(table(["id", "name", "status", "health", "message"],
              [[r["integration_id"], r["label"], r["status"], r["health"]["status"], r["health"]["message"]]
               for r in rows]))
    return 0


def integrations_configure(args: argparse.Namespace) -> int:
    from hi.operations import actions

    values = actions.parse_assignments(args.settings)
    result = actions.configure(args.integration_id, values, test=not args.no_test).as_dict()
    if args.json:
        emit_json(result)
        return 0
    integration = result["integration"]
    say(f"{args.integration_id} configured (status: {integration['status']}).")
    say(table(["setting", "value"], sorted(integration["attributes"].items())))
    return 0


def integrations_lifecycle(args: argparse.Namespace) -> int:
    from hi.operations import actions

    outcome = actions.lifecycle_action(args.integration_id, args.action, getattr(args, "mode", None))
    if args.json:
        emit_json(outcome.as_dict())
        return 0
    message = outcome.message
    status = outcome.integration["status"]
    say(f"{args.integration_id}: {status}" + (f" ({message})" if message else ""))
    return 0


def sync(args: argparse.Namespace) -> int:
    from hi.operations import actions

    report = actions.sync(args.integration_id, dry_run=args.dry_run,
                          remove_missing=args.remove_missing).to_dict()
    if args.json:
        emit_json(report)
        return 0
    say(f"{'Planned' if args.dry_run else 'Synced'} {args.integration_id}:")
    say(describe_report(report))
    return 0


def describe_report(report: Any) -> str:
    """A sync report in words: counts, then the names per action, then warnings."""
    if not isinstance(report, dict) or "counts" not in report:
        return format_value(report)
    lines = ["  " + (", ".join(f"{action} {count}" for action, count in report["counts"].items() if count)
                     or "nothing to change")]
    for action, names in (report.get("names") or {}).items():
        if names:
            shown = ", ".join(str(n) for n in names[:20]) + (f" … (+{len(names) - 20})" if len(names) > 20 else "")
            lines.append(f"  {action}: {shown}")
    lines += [f"  warning: {warning}" for warning in report.get("warnings") or []]
    return "\n".join(lines)


def _state_words(state: dict[str, Any]) -> str:
    """'Brightness=80 %', with '(unavailable)' or '(stale)' when the value is not current."""
    text = f"{state['name']}={cell_value(state['value'], 30)}{(' ' + state['units']) if state['units'] else ''}"
    if not state.get("available", True):
        return text + " (unavailable)"
    return text + " (stale)" if state.get("stale") else text


def _states_summary(entity: dict[str, Any], limit: int = 120) -> str:
    text = ", ".join(_state_words(s) for s in entity["states"])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def entities_list(args: argparse.Namespace) -> int:
    from hi.apps.api.serializers import entities_with_states, entity_json
    from hi.apps.entity.models import Entity
    from hi.operations.actions import check_integration_id

    entities = Entity.objects.all()
    if args.integration:
        check_integration_id(args.integration)
        entities = entities.filter(integration_id=args.integration)
    from hi.apps.entity.availability import AvailabilityIndex
    from hi.apps.places.tree import LocationTree

    tree, index = LocationTree.load(), AvailabilityIndex()
    data = [entity_json(e, tree, index=index) for e in entities_with_states(entities.order_by("name", "id"))]
    if args.json:
        emit_json(data)
        return 0
    say(table(["id", "name", "type", "key", "place", "states"],
              [[e["id"], e["name"], e["entity_type"], e["integration_key"],
                (e["location"] or {}).get("path"), _states_summary(e)] for e in data]))
    return 0


def entities_show(args: argparse.Namespace) -> int:
    from hi.apps.api.serializers import entities_with_states, entity_json
    from hi.apps.entity.models import Entity
    from hi.operations.queries import find_entity

    entity = entity_json(find_entity(args.key_or_id, entities_with_states(Entity.objects.all())))
    if args.json:
        emit_json(entity)
        return 0
    say(f"{entity['name']}  (#{entity['id']}, {entity['entity_type']}, {entity['integration_key'] or 'no key'})"
        + (f"  in {entity['location']['path']}" if entity["location"] else ""))
    say(table(["state id", "state", "type", "value", "units", "updated", "current", "sensors", "controllers"],
              [[s["id"], s["name"], s["state_type"], cell_value(s["value"]), s["units"], local_time(s["updated_at"]),
                "yes" if s["available"] and not s["stale"] else (s["unavailable_reason"] or "no"),
                " ".join(x["integration_key"] or "-" for x in s["sensors"]),
                " ".join(x["integration_key"] or "-" for x in s["controllers"])] for s in entity["states"]],
              empty="(no states)"))
    return 0


def control(args: argparse.Namespace) -> int:
    from hi.apps.api.serializers import control_json
    from hi.apps.control.models import ControlOutcome
    from hi.operations import actions

    history = control_json(actions.control(args.key, args.value, "cli", code=args.code))
    if args.json:
        emit_json(history)
    if history["outcome"] == ControlOutcome.FAILED:
        raise CommandError(f"control of {args.key} failed: {history['message'] or 'no reason given'}")
    if not args.json:
        latency = f", {history['latency_ms']:.0f} ms" if history["latency_ms"] is not None else ""
        say(f"{args.key} <- {history['requested_value']}: {history['outcome']}{latency}")
    return 0


def events_list(args: argparse.Namespace) -> int:
    from hi.apps.api.serializers import event_json
    from hi.operations.queries import filter_events

    rows = list(filter_events(args.entity, args.since).select_related("entity", "entity_state")[: args.limit])
    if args.json:
        emit_json([event_json(e) for e in rows])
        return 0
    say(table(["id", "entity", "state", "value", "start", "end", "seconds"],
              [[e.id, e.entity.name, e.entity_state.name, cell_value(e.value), local_time(e.start), local_time(e.end),
                None if e.duration_seconds is None else f"{e.duration_seconds:.1f}"] for e in rows],
              empty="(no events)"))
    return 0


def worker_line(worker: dict[str, Any]) -> str:
    """'worker: running (host:pid, …)' or 'worker: not running since … (why)'."""
    if worker["running"]:
        return f"worker: running ({worker['worker_id']}, last heartbeat {local_time(worker['heartbeat_at'])})"
    if not worker["worker_id"]:
        return "worker: not running (no worker has run yet)"
    return f"worker: not running since {local_time(worker['since'])} ({worker['worker_id']}: {worker['reason']})"


def health(args: argparse.Namespace) -> int:
    from hi.operations.actions import health as collect

    data = collect()
    if args.json:
        emit_json(data)
        return 0
    worker = data["worker"]
    say(worker_line(worker))
    say(table(["integration", "lifecycle", "health", "message", "failures", "last success"],
              [[h.get("integration_id"), h.get("status"), h.get("health_status"), h.get("message"),
                h.get("consecutive_failures"), local_time(h.get("last_success_at"))] for h in data["integrations"]],
              empty="(no integration configured yet)"))
    return 0
