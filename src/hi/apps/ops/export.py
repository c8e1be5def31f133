"""``hi export`` and ``hi import``: the household's data in an open JSON format (docs/export-format.md).

Export streams one JSON document (history can be millions of rows) with everything needed to leave
hi: integrations (secret settings left out), entities with their states and attributes (uploaded
files included), locations, floor plans, collections, events, control history, raw sensor history
and hourly aggregates within the range. Import brings it into another hub: locations (rooms),
entities the user created, user attributes and their files, user edits and rooms of entities an
integration provides (matched by integration key, so run a sync first), collections, floor plans
with their placements, and the history of the matched states (``importer``).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

import hi
from hi.apps.control.models import ControllerHistory
from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.event.models import Event
from hi.apps.places.models import Collection, CollectionItem, FloorPlan, Location
from hi.apps.sense.models import SensorHistory
from hi.integrations.keys import IntegrationKey
from hi.integrations.models import Integration

from .archive import BackupError
from .importer import import_file_attribute, import_history, import_plans
from .models import SensorHourly

FORMAT = "hi-export"
FORMAT_VERSION = 1


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _entity(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id, "key": entity.integration_key_str, "detached_key": entity.detached_key or None,
        "name": entity.name, "entity_type": entity.entity_type, "user_fields": entity.user_fields,
        "location_id": entity.location_id,
        "created_at": _iso(entity.created_at),
        "states": [{"id": s.id, "state_key": s.state_key, "name": s.name, "state_type": s.state_type,
                    "units": s.units, "value_range": s.value_range, "value": s.value,
                    "value_updated_at": _iso(s.value_updated_at), "user_fields": s.user_fields}
                   for s in entity.states.all()],
        "attributes": [{"name": a.name, "value_type": a.value_type, "value": a.value, "source": a.source,
                        "file": a.file.name if a.file else None, "file_base64": _file_base64(a)}
                       for a in entity.attributes.all()],
    }


def _file_base64(attribute: EntityAttribute) -> str | None:
    """The uploaded file itself, so an export alone is enough to leave hi (None: no file, or it is gone)."""
    if not attribute.file:
        return None
    try:
        with attribute.file.open("rb") as handle:
            return base64.b64encode(handle.read()).decode()
    except OSError:
        return None


def _integration(integration: Integration) -> dict[str, Any]:
    return {"integration_id": integration.integration_id, "status": integration.status,
            "settings": {a.key: a.value for a in integration.attributes.all() if not a.is_secret},
            "secret_settings": sorted(a.key for a in integration.attributes.all() if a.is_secret)}


def _sections(since: dt.datetime | None, until: dt.datetime) -> Iterator[tuple[str, Iterator[dict[str, Any]]]]:
    def ranged(qs: Any, field: str) -> Any:
        qs = qs.filter(**{f"{field}__lt": until})
        return qs.filter(**{f"{field}__gte": since}) if since else qs

    yield "integrations", (_integration(i) for i in Integration.objects.prefetch_related("attributes"))
    yield "entities", (_entity(e) for e in Entity.objects.prefetch_related("states", "attributes").iterator(500))
    yield "locations", ({"id": loc.id, "name": loc.name, "kind": loc.kind, "parent_id": loc.parent_id,
                         "position": loc.position} for loc in Location.objects.order_by("id"))
    yield "floor_plans", ({"location_id": plan.location_id, "format": plan.format, "width": plan.width,
                           "height": plan.height, "fade_seconds": plan.fade_seconds,
                           "data_base64": base64.b64encode(bytes(plan.data)).decode(),
                           "placements": [{"entity_id": p.entity_id, "shape": p.shape, "x": p.x, "y": p.y,
                                           "size": p.size, "rotation": p.rotation, "points": p.points}
                                          for p in plan.placements.all()]}
                          for plan in FloorPlan.objects.prefetch_related("placements").order_by("id"))
    yield "collections", ({"name": c.name, "view": c.view, "pinned": c.pinned, "position": c.position,
                           "entity_ids": [item.entity_id for item in c.items.all()]}
                          for c in Collection.objects.prefetch_related("items").order_by("id"))
    yield "events", ({"id": e.id, "entity_id": e.entity_id, "state_id": e.entity_state_id, "value": e.value,
                      "start": _iso(e.start), "end": _iso(e.end), "duration_seconds": e.duration_seconds,
                      "details": e.details}
                     for e in ranged(Event.objects.order_by("start", "id"), "start").iterator(5000))
    yield "control_history", ({"controller": c.controller.integration_key_str, "state_id": c.controller.entity_state_id,
                               "requested_value": c.requested_value, "requested_by": c.requested_by,
                               "requested_at": _iso(c.requested_at), "outcome": c.outcome, "message": c.message}
                              for c in ranged(ControllerHistory.objects.select_related("controller")
                                              .order_by("requested_at", "id"), "requested_at").iterator(5000))
    yield "history", ({"state_id": state_id, "response_at": _iso(at), "value": value}
                      for state_id, at, value in ranged(SensorHistory.objects.order_by("response_at", "id"),
                                                        "response_at")
                      .values_list("sensor__entity_state_id", "response_at", "value").iterator(5000))
    yield "hourly", ({"state_id": state_id, "hour": _iso(hour), "count": count, "min": low, "max": high,
                      "mean": total / count, "sum": total}
                     for state_id, hour, count, low, high, total in
                     ranged(SensorHourly.objects.order_by("hour", "sensor_id"), "hour")
                     .values_list("sensor__entity_state_id", "hour", "count", "minimum", "maximum", "total")
                     .iterator(5000))


def export(out: IO[str], since: dt.datetime | None = None, until: dt.datetime | None = None) -> dict[str, int]:
    """Write the export document to ``out``; returns the number of items per section."""
    until = until or timezone.now()
    header = {"format": FORMAT, "format_version": FORMAT_VERSION, "hi_version": hi.__version__,
              "exported_at": _iso(timezone.now()), "time_zone": settings.TIME_ZONE,
              "range": {"since": _iso(since), "until": _iso(until)}}
    out.write("{\n")
    for key, value in header.items():
        out.write(f"{json.dumps(key)}: {json.dumps(value)},\n")
    counts: dict[str, int] = {}
    sections = list(_sections(since, until))
    for index, (name, items) in enumerate(sections):
        out.write(f"{json.dumps(name)}: [")
        count = 0
        for item in items:
            out.write(("\n  " if count == 0 else ",\n  ") + json.dumps(item, default=str))
            count += 1
        out.write("\n]" if count else "]")
        out.write(",\n" if index < len(sections) - 1 else "\n")
        counts[name] = count
    out.write("}\n")
    return counts


# -- import ------------------------------------------------------------------------------------------------
def _check(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("not a hi export (no \"format\": \"hi-export\")")
    if int(document.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(f"export format {document['format_version']} is newer than this hi reads ({FORMAT_VERSION})")
    if not isinstance(document.get("entities"), list):
        raise BackupError("the export has no entities list")
    return document


def _import_locations(document: dict[str, Any], counts: dict[str, int]) -> dict[int, Location]:
    """Recreate the location tree, reusing a location of the same name under the same parent."""
    by_old_id: dict[int, Location] = {}
    pending = list(document.get("locations") or [])
    while pending:
        progressed = False
        for item in list(pending):
            parent_id = item.get("parent_id")
            if parent_id is not None and parent_id not in by_old_id:
                continue  # its parent comes first
            parent = by_old_id.get(parent_id) if parent_id is not None else None
            found = Location.objects.filter(name__iexact=item["name"], parent=parent).first()
            if found is None:
                found = Location.objects.create(name=item["name"], parent=parent, kind=item.get("kind", "room"),
                                                position=item.get("position", 0))
                counts["locations"] += 1
            by_old_id[item["id"]] = found
            pending.remove(item)
            progressed = True
        if not progressed:
            raise BackupError("the export's locations refer to parents it does not contain")
    return by_old_id


def import_configuration(document: Any) -> dict[str, int]:
    """Bring rooms, entities the user created, user attributes (with files), user edits, collections,
    floor plans and the matched states' history into this hub.

    All or nothing: one transaction. Entities an integration provides are matched by integration key.
    """
    document = _check(document)
    counts = {"locations": 0, "entities_created": 0, "entities_updated": 0, "attributes": 0, "collections": 0,
              "floor_plans": 0, "history": 0, "hourly": 0, "events": 0, "control_history": 0, "skipped": 0}
    entity_by_old_id: dict[int, Entity] = {}
    state_by_old_id: dict[int, EntityState] = {}
    with transaction.atomic():
        locations = _import_locations(document, counts)
        for item in document["entities"]:
            entity = _import_entity(item, counts)
            if entity is None:
                continue
            if item.get("id") is not None:
                entity_by_old_id[item["id"]] = entity
            for state in item.get("states", []):
                if state.get("id") is not None and (mine := entity.states.filter(state_key=state["state_key"]).first()):
                    state_by_old_id[state["id"]] = mine
            location = locations.get(item.get("location_id"))
            if location is not None and entity.location_id != location.id:
                entity.location = location
                entity.mark_user_field("location")
                entity.save(update_fields=["location", "user_fields", "updated_at"])
            for attribute in item.get("attributes", []):
                if attribute.get("source") != AttributeSource.USER:
                    continue  # integration attributes come back with a sync
                if attribute.get("file"):
                    import_file_attribute(entity, attribute, counts)
                    continue
                _, created = EntityAttribute.objects.get_or_create(
                    entity=entity, name=attribute["name"], source=AttributeSource.USER,
                    defaults={"value_type": attribute.get("value_type", "text"), "value": attribute.get("value", "")})
                counts["attributes"] += int(created)
        for item in document.get("collections") or []:
            collection, created = Collection.objects.get_or_create(
                name=item["name"], defaults={"view": item.get("view", "grid"), "pinned": item.get("pinned", False),
                                             "position": item.get("position", 0)})
            counts["collections"] += int(created)
            for position, old_id in enumerate(item.get("entity_ids") or []):
                if old_id in entity_by_old_id:
                    CollectionItem.objects.get_or_create(collection=collection, entity=entity_by_old_id[old_id],
                                                         defaults={"position": position})
        import_plans(document.get("floor_plans") or [], locations, entity_by_old_id, counts)
        import_history(document, state_by_old_id, counts)
    return counts


def _import_entity(item: dict[str, Any], counts: dict[str, int]) -> Entity | None:
    key = item.get("key")
    if not key and not item.get("detached_key"):  # made by the user: create it (once: reuse one of that name)
        same = Entity.objects.filter(integration_id__isnull=True, detached_key="", name=item["name"]).first()
        if same is not None:
            return same
        entity = Entity.objects.create(name=item["name"], entity_type=item.get("entity_type", "other"),
                                       user_fields=item.get("user_fields") or [])
        for state in item.get("states", []):
            EntityState.objects.create(entity=entity, state_key=state["state_key"], name=state["name"],
                                       state_type=state["state_type"], units=state.get("units", ""),
                                       value_range=state.get("value_range"), value=state.get("value"))
        counts["entities_created"] += 1
        return entity
    parsed = IntegrationKey.parse(key) if key else None
    entity = (Entity.objects.filter(integration_id=parsed.integration_id,
                                    integration_name=parsed.integration_name).first() if parsed else None)
    if entity is None:
        counts["skipped"] += 1
        return None
    fields = [f for f in item.get("user_fields") or [] if f in {"name", "entity_type"}]
    for name in fields:
        setattr(entity, name, item[name])
        entity.mark_user_field(name)
    if fields:
        entity.save()
        counts["entities_updated"] += 1
    return entity
