"""``hi places …`` and ``hi entities create``: the place tree and things added by hand (docs/places.md)."""

from __future__ import annotations

import argparse

from .output import emit_json, say, table


def places_list(args: argparse.Namespace) -> int:
    from hi.apps.places.operations import list_locations

    rows = list_locations()
    if args.json:
        emit_json(rows)
        return 0
    say(table(["id", "place", "kind", "entities"],
              [[r["id"], "  " * r["depth"] + r["name"], r["kind"], r["entity_count"]] for r in rows],
              empty="(no places yet: hi places add Home)"))
    return 0


def places_add(args: argparse.Namespace) -> int:
    from hi.apps.places.operations import create_location

    row = create_location(args.name, args.parent, args.kind)
    if args.json:
        emit_json(row)
        return 0
    say(f"added {row['path']} (#{row['id']}, {row['kind']})")
    return 0


def places_assign(args: argparse.Namespace) -> int:
    from hi.apps.api.serializers import entities_with_states, entity_json
    from hi.apps.entity.models import Entity
    from hi.apps.places.operations import assign

    room = None if args.room.strip().lower() in {"none", "-"} else args.room
    entity = assign(args.entity, room)
    data = entity_json(entities_with_states(Entity.objects.all()).get(pk=entity.pk))
    if args.json:
        emit_json(data)
        return 0
    where = f"is now in {data['location']['path']}" if data["location"] else "now has no place"
    say(f"{data['name']} (#{data['id']}) {where}; syncs will keep this")
    return 0


def entities_create(args: argparse.Namespace) -> int:
    from hi.apps.api.serializers import entities_with_states, entity_json
    from hi.apps.entity.models import Entity
    from hi.apps.places.operations import create_entity

    entity = create_entity(args.name, args.type, args.room)
    data = entity_json(entities_with_states(Entity.objects.all()).get(pk=entity.pk))
    if args.json:
        emit_json(data)
        return 0
    say(f"created {data['name']} (#{data['id']}, {data['entity_type']})"
        + (f" in {data['location']['path']}" if data["location"] else ""))
    return 0
