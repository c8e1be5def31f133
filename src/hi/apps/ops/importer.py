"""The parts of ``hi import`` beyond configuration: floor plans, attribute files and history.

Runs inside ``import_configuration``'s transaction, after entities and locations are matched, with
maps from the export's ids to this hub's rows. History (readings, hourly aggregates, events and
control history) is only taken for the time before this hub's own first record of the same sensor,
state or controller, so importing twice, or into a hub that has synced since, never duplicates rows.
Raw readings whose hour the export does not summarise, and which this hub has already summarised,
are folded into its aggregates (as late readings are); the rest are counted by the imported hours.
Late readings still waiting for the next maintenance pass are folded first, so moving the id marker
past the imported rows skips none, and a pass running meanwhile writes nothing (see ``rollup``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.utils.dateparse import parse_datetime

from hi.apps.control.models import Controller, ControllerHistory, ControlOutcome
from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.event.models import Event
from hi.apps.places.models import FloorPlan, Location, Placement
from hi.apps.sense.models import Sensor, SensorHistory

from .archive import BackupError
from .models import SensorHourly
from .rollup import (
    AGGREGATED_THROUGH,
    bump_history_generation,
    floor_hour,
    fold_late,
    get_marker,
    get_watermark,
    merge_buckets,
    newest_history_id,
    set_watermark,
    summarise,
)

BATCH = 5000
FINAL = {ControlOutcome.CONFIRMED, ControlOutcome.UNCONFIRMED, ControlOutcome.FAILED}


def _when(text: Any, what: str) -> dt.datetime:
    parsed = parse_datetime(text) if isinstance(text, str) else None
    if parsed is None:
        raise BackupError(f"{what}: {text!r} is not an ISO 8601 time")
    return parsed


def _decode(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(text or "", validate=True)
    except (binascii.Error, ValueError):
        raise BackupError(f"{what}: data_base64 is not base64") from None


def import_file_attribute(entity: Entity, attribute: dict[str, Any], counts: dict[str, int]) -> None:
    """A user's file attribute, with its file, unless the entity already has a file attribute of that name."""
    if attribute.get("file_base64") is None:
        counts["skipped"] += 1  # an export from before files travelled in it
        return
    if EntityAttribute.objects.filter(entity=entity, name=attribute["name"], source=AttributeSource.USER).exists():
        return
    made = EntityAttribute(entity=entity, name=attribute["name"], value_type=attribute.get("value_type", "file"),
                           value=attribute.get("value", ""), source=AttributeSource.USER)
    name = PurePosixPath(str(attribute.get("file") or "file")).name
    made.file.save(name, ContentFile(_decode(attribute["file_base64"], f"attribute {attribute['name']!r}")), save=True)
    counts["attributes"] += 1


def import_plans(plans: Iterable[dict[str, Any]], locations: dict[int, Location], entities: dict[int, Entity],
                 counts: dict[str, int]) -> None:
    """Floor plans of the imported locations (a location that has a plan keeps it) and their placements."""
    for item in plans:
        location = locations.get(item.get("location_id"))
        if location is None:
            raise BackupError(f"a floor plan refers to location {item.get('location_id')}, which the export lacks")
        if FloorPlan.objects.filter(location=location).exists():
            continue
        plan = FloorPlan.objects.create(location=location, format=item["format"], width=item["width"],
                                        height=item["height"], fade_seconds=item.get("fade_seconds", 300),
                                        data=_decode(item.get("data_base64"), f"the plan of {location.name}"))
        counts["floor_plans"] += 1
        for placed in item.get("placements") or []:
            entity = entities.get(placed.get("entity_id"))
            if entity is None:
                continue  # an entity this hub does not have (not synced yet)
            Placement.objects.create(plan=plan, entity=entity, shape=placed.get("shape", "icon"),
                                     x=placed.get("x", 0), y=placed.get("y", 0), size=placed.get("size", 0),
                                     rotation=placed.get("rotation", 0), points=placed.get("points") or [])


def _first(rows: Any, field: str) -> dt.datetime | None:
    return rows.order_by(field).values_list(field, flat=True).first()


def import_history(document: dict[str, Any], states: dict[int, EntityState], counts: dict[str, int]) -> None:
    """Readings, hourly aggregates, events and control history of the matched states, older than this hub's own."""
    bump_history_generation()  # first: a maintenance pass that read history before this commits writes nothing
    sensors = {old: state.sensors.order_by("id").first() for old, state in states.items()}
    sensors = {old: sensor for old, sensor in sensors.items() if sensor is not None}
    hourly_start = {s.id: _first(SensorHourly.objects.filter(sensor=s), "hour") for s in sensors.values()}
    summarised: dict[int, set[dt.datetime]] = {}
    hourly = []
    for item in document.get("hourly") or []:
        sensor = sensors.get(item.get("state_id"))
        hour = _when(item.get("hour"), "hourly")
        if sensor is None or (hourly_start[sensor.id] is not None and hour >= hourly_start[sensor.id]):
            continue
        summarised.setdefault(sensor.id, set()).add(hour)
        hourly.append(SensorHourly(sensor=sensor, hour=hour, count=int(item["count"]), minimum=item["min"],
                                   maximum=item["max"],
                                   total=item["sum"] if "sum" in item else item["mean"] * int(item["count"])))
    SensorHourly.objects.bulk_create(hourly, batch_size=BATCH)
    counts["hourly"] += len(hourly)
    _import_readings(document.get("history") or [], sensors, summarised, counts)
    event_start = {old: _first(Event.objects.filter(entity_state=s), "start") for old, s in states.items()}
    events = []
    for item in document.get("events") or []:
        state = states.get(item.get("state_id"))
        start = _when(item.get("start"), "event")
        if state is None or (event_start[item["state_id"]] is not None and start >= event_start[item["state_id"]]):
            continue
        events.append(Event(entity_id=state.entity_id, entity_state=state, sensor=sensors.get(item["state_id"]),
                            value=item.get("value"), start=start,
                            end=_when(item["end"], "event") if item.get("end") else None,
                            duration_seconds=item.get("duration_seconds"), details=item.get("details") or {}))
    Event.objects.bulk_create(events, batch_size=BATCH)
    counts["events"] += len(events)
    _import_control_history(document.get("control_history") or [], counts)


def _import_readings(items: list[dict[str, Any]], sensors: dict[int, Sensor],
                     summarised: dict[int, set[dt.datetime]], counts: dict[str, int]) -> None:
    raw_start = {s.id: _first(SensorHistory.objects.filter(sensor=s), "response_at") for s in sensors.values()}
    rows = []
    for item in items:
        sensor = sensors.get(item.get("state_id"))
        at = _when(item.get("response_at"), "history")
        if sensor is None or (raw_start[sensor.id] is not None and at >= raw_start[sensor.id]):
            continue
        rows.append(SensorHistory(sensor=sensor, response_at=at, value=item.get("value")))
    through, counted = get_marker(AGGREGATED_THROUGH), get_watermark()
    if through is not None and counted is not None:
        fold_late(through, newest_history_id())  # count late readings already here before moving the marker past them
    SensorHistory.objects.bulk_create(rows, batch_size=BATCH)
    counts["history"] += len(rows)
    if through is None or counted is None:
        return  # nothing summarised here yet: the first pass summarises these with the rest
    unsummarised: dict[int, list[tuple[dt.datetime, Any]]] = {}
    for row in rows:  # hours this hub summarised already, which the export holds no aggregate for
        if row.response_at < through and floor_hour(row.response_at) not in summarised.get(row.sensor_id, ()):
            unsummarised.setdefault(row.sensor_id, []).append((row.response_at, row.value))
    for sensor_id, readings in unsummarised.items():
        merge_buckets(sensor_id, summarise(readings))
    set_watermark(max(get_watermark() or 0, newest_history_id()))  # the imported rows are counted now


def _import_control_history(items: list[dict[str, Any]], counts: dict[str, int]) -> None:
    controllers: dict[str, Controller | None] = {}
    first: dict[int, dt.datetime | None] = {}
    rows = []
    for item in items:
        key = item.get("controller") or ""
        if key not in controllers:
            integration_id, _, name = key.partition(":")
            controllers[key] = Controller.objects.filter(integration_id=integration_id, integration_name=name).first()
        controller = controllers[key]
        if controller is None:
            continue
        if controller.id not in first:
            first[controller.id] = _first(ControllerHistory.objects.filter(controller=controller), "requested_at")
        at = _when(item.get("requested_at"), "control history")
        if first[controller.id] is not None and at >= first[controller.id]:
            continue
        outcome, message = item.get("outcome"), item.get("message") or ""
        if outcome not in FINAL:  # never leave this hub awaiting a confirmation for another hub's request
            outcome, message = ControlOutcome.UNCONFIRMED, message or "imported before its confirmation"
        rows.append(ControllerHistory(controller=controller, requested_value=item.get("requested_value"),
                                      requested_by=item.get("requested_by") or "", requested_at=at,
                                      outcome=outcome, message=message[:500]))
    ControllerHistory.objects.bulk_create(rows, batch_size=BATCH)
    counts["control_history"] += len(rows)
