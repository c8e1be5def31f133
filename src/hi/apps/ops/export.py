"""``hi export`` and ``hi import``: the household's data in an open JSON format (docs/export-format.md).

Export streams one JSON document (history can be millions of rows) with everything needed to leave
hi: integrations (secret settings left out), entities with their states and attributes, events,
control history, raw sensor history and hourly aggregates within the range. Import takes only the
configuration part into another hub: entities the user created, user attributes and user edits to
entities that an integration provides (matched by integration key, so run a sync first).
"""

from __future__ import annotations

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
from hi.apps.sense.models import SensorHistory
from hi.integrations.keys import IntegrationKey
from hi.integrations.models import Integration

from .archive import BackupError
from .models import SensorHourly

FORMAT = "hi-export"
FORMAT_VERSION = 1


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _entity(entity: Entity) -> dict[str, Any]:
    return {
        "id": entity.id, "key": entity.integration_key_str, "detached_key": entity.detached_key or None,
        "name": entity.name, "entity_type": entity.entity_type, "user_fields": entity.user_fields,
        "created_at": _iso(entity.created_at),
        "states": [{"id": s.id, "state_key": s.state_key, "name": s.name, "state_type": s.state_type,
                    "units": s.units, "value_range": s.value_range, "value": s.value,
                    "value_updated_at": _iso(s.value_updated_at), "user_fields": s.user_fields}
                   for s in entity.states.all()],
        "attributes": [{"name": a.name, "value_type": a.value_type, "value": a.value, "source": a.source,
                        "file": a.file.name if a.file else None} for a in entity.attributes.all()],
    }


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
    yield "locations", iter(())  # hi has no locations or rooms yet; the key is kept for the format
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
                      "mean": total / count}
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


def import_configuration(document: Any) -> dict[str, int]:
    """Bring entities the user created, user attributes and user edits into this hub; all or nothing."""
    document = _check(document)
    counts = {"entities_created": 0, "entities_updated": 0, "attributes": 0, "skipped": 0}
    with transaction.atomic():
        for item in document["entities"]:
            key = item.get("key")
            user_made = not key and not item.get("detached_key")
            if user_made:
                entity = Entity.objects.create(name=item["name"], entity_type=item.get("entity_type", "other"),
                                               user_fields=item.get("user_fields") or [])
                for state in item.get("states", []):
                    EntityState.objects.create(entity=entity, state_key=state["state_key"], name=state["name"],
                                               state_type=state["state_type"], units=state.get("units", ""),
                                               value_range=state.get("value_range"), value=state.get("value"))
                counts["entities_created"] += 1
            else:
                parsed = IntegrationKey.parse(key) if key else None
                entity = (Entity.objects.filter(integration_id=parsed.integration_id,
                                                integration_name=parsed.integration_name).first() if parsed else None)
                if entity is None:
                    counts["skipped"] += 1
                    continue
                fields = [f for f in item.get("user_fields") or [] if f in {"name", "entity_type"}]
                for name in fields:
                    setattr(entity, name, item[name])
                    entity.mark_user_field(name)
                if fields:
                    entity.save()
                    counts["entities_updated"] += 1
            for attribute in item.get("attributes", []):
                if attribute.get("source") != AttributeSource.USER or attribute.get("file"):
                    continue  # integration attributes come back with a sync; files travel in backups
                _, created = EntityAttribute.objects.get_or_create(
                    entity=entity, name=attribute["name"], source=AttributeSource.USER,
                    defaults={"value_type": attribute.get("value_type", "text"), "value": attribute.get("value", "")})
                counts["attributes"] += int(created)
    return counts
