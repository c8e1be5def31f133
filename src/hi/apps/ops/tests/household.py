"""A small household with something in every table a backup must carry (shared by the ops tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection

from hi.apps.control.models import ControllerHistory, ControlOutcome
from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.entity.tests.factories import make_device
from hi.apps.event.models import Event
from hi.apps.ops.backup import model_tables
from hi.apps.ops.models import SensorHourly
from hi.apps.sense.models import SensorHistory
from hi.integrations.models import Integration, IntegrationAttribute

T0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)


def build() -> dict[str, Any]:
    thermo = make_device("Hall thermometer", S.TEMPERATURE, integration_id="hass", value=21.0)
    door = make_device("Back door", S.OPEN_CLOSE, integration_id="hass", value="closed", controllable=True)
    SensorHistory.objects.bulk_create([SensorHistory(sensor=thermo.sensor, value=20 + n / 10,
                                                     response_at=T0 + dt.timedelta(minutes=n)) for n in range(300)])
    SensorHourly.objects.create(sensor=thermo.sensor, hour=T0, count=60, minimum=20, maximum=26, total=1377)
    Event.objects.create(entity=door.entity, entity_state=door.state, sensor=door.sensor, value="open", start=T0,
                         end=T0 + dt.timedelta(seconds=42), duration_seconds=42.0, details={"by": "test"})
    ControllerHistory.objects.create(controller=door.controller, requested_value="open", requested_by="t",
                                     requested_at=T0, outcome=ControlOutcome.CONFIRMED)
    shed = Entity.objects.create(name="Garden shed", entity_type="other", user_fields=["name"])
    EntityState.objects.create(entity=shed, state_key="note", name="Note", state_type=S.TEMPERATURE, units="°C")
    EntityAttribute.objects.create(entity=shed, name="Lock code hint", value="blue", source=AttributeSource.USER)
    manual = EntityAttribute(entity=thermo.entity, name="Manual", value_type="file", source=AttributeSource.USER)
    manual.file.save("manual.pdf", ContentFile(b"%PDF-1.4 pretend manual\n"), save=True)
    from hi.apps.places.models import Collection, CollectionItem, Location

    floor = Location.objects.create(name="Ground floor", kind="floor")
    hall = Location.objects.create(name="Hall", kind="room", parent=floor)
    thermo.entity.location = hall
    thermo.entity.save()
    doors = Collection.objects.create(name="Doors", pinned=True)
    CollectionItem.objects.create(collection=doors, entity=door.entity)
    hass = Integration.objects.create(integration_id="hass", status="configured")
    IntegrationAttribute.objects.create(integration=hass, key="base_url", value="http://192.0.2.5:8123")
    IntegrationAttribute.objects.create(integration=hass, key="api_token", value="s3cret-token", is_secret=True)
    return {"thermo": thermo, "door": door, "shed": shed, "manual": manual}


def build_everything() -> dict[str, Any]:
    """``build`` plus a row in the alarm, household, ZoneMinder and weather tables (the upgrade fixture's data)."""
    from hi.apps.alarm.models import (
        Alarm,
        Alert,
        Channel,
        Delivery,
        ModeChange,
        ModeSetting,
        Rule,
        RuleRuntime,
    )
    from hi.apps.household.models import HouseholdSetting
    from hi.services.weather.models import CachedResponse, SourceRequestLog
    from hi.services.zoneminder.models import EventCursor

    made = build()
    door = made["door"]
    rule = Rule.objects.create(name="Back door opens", level="critical", conditions=[
        {"state_id": door.state.id, "op": "eq", "value": "open"}], modes=["away"], state_ids=[door.state.id],
        actions=[{"kind": "notify"}], quiet_seconds=60)
    RuleRuntime.objects.create(rule=rule, armed=False, last_fired_at=T0)
    alert = Alert.objects.create(rule=rule, rule_name=rule.name, level="critical", status="acknowledged",
                                 opened_at=T0, last_fired_at=T0, acknowledged_by="alice", acknowledged_at=T0,
                                 ack_note="was me", event_ids=[1], mode="away")
    alert.entities.add(door.entity)
    Alarm.objects.create(alert=alert, fired_at=T0, values={str(door.state.id): "open"})
    ModeSetting.objects.update_or_create(pk=1, defaults={"mode": "away", "changed_at": T0})
    ModeChange.objects.create(at=T0, mode="away", previous="day", changed_by="alice", reason="left home")
    channel = Channel.objects.create(name="phone", url="json://192.0.2.9/hook", min_level="warning")
    Delivery.objects.create(alert=alert, channel=channel, title="Back door", body="opened", status="sent",
                            attempts=1, created_at=T0, sent_at=T0)
    HouseholdSetting.objects.create(key="time_zone", value="Europe/Berlin", updated_by="alice")
    HouseholdSetting.objects.create(key="ops.keep", value=5, updated_by="alice")
    EventCursor.objects.create(server="http://192.0.2.7/zm", last_event_id=4711, open_event_ids=[4710],
                               awaited_event_ids={"4709": T0.isoformat()})
    CachedResponse.objects.create(source="open-meteo", key="forecast:52.5,13.4", payload={"hourly": {"t": [1.5]}},
                                  fetched_at=T0)
    SourceRequestLog.objects.create(source="open-meteo", stamps=[T0.timestamp()], total=1)
    return made


def table_rows() -> dict[str, list[tuple]]:
    """Every row of every table hi manages, ordered, as the database returns them."""
    result = {}
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in model_tables():
            if table not in existing:
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            result[table] = sorted(cursor.fetchall(), key=repr)
    return result
