"""The export document (docs/export-format.md) and importing its configuration part."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.models import Entity, EntityAttribute
from hi.apps.ops.archive import BackupError
from hi.apps.ops.export import export, import_configuration

from . import household

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _document(**kwargs) -> dict:
    out = io.StringIO()
    counts = export(out, **kwargs)
    document = json.loads(out.getvalue())
    assert {k: len(document[k]) for k in counts} == counts
    return document


def test_export_holds_everything_but_secrets(media):
    household.build()
    document = _document()
    assert document["format"] == "hi-export" and document["format_version"] == 1
    assert len(document["history"]) == 300 and len(document["hourly"]) == 1 and len(document["events"]) == 1
    hass = document["integrations"][0]
    assert hass["settings"] == {"base_url": "http://192.0.2.5:8123"} and hass["secret_settings"] == ["api_token"]
    assert "s3cret-token" not in json.dumps(document)
    thermo = next(e for e in document["entities"] if e["name"] == "Hall thermometer")
    assert thermo["key"] == "hass:Hall thermometer" and thermo["states"][0]["value"] == 21.0
    assert thermo["attributes"][0]["file"].startswith("attributes/")
    hall = next(loc for loc in document["locations"] if loc["name"] == "Hall")
    assert thermo["location_id"] == hall["id"] and hall["parent_id"] is not None
    assert document["collections"] == [{"name": "Doors", "view": "grid", "pinned": True, "position": 0,
                                        "entity_ids": [next(e["id"] for e in document["entities"]
                                                            if e["name"] == "Back door")]}]
    assert document["hourly"][0]["mean"] == pytest.approx(1377 / 60)


def test_since_and_until_bound_history_and_events(media):
    household.build()
    since = household.T0 + dt.timedelta(minutes=100)
    document = _document(since=since, until=household.T0 + dt.timedelta(minutes=200))
    assert len(document["history"]) == 100 and document["events"] == [] and document["hourly"] == []
    assert len(document["entities"]) == 3 and len(document["locations"]) == 2  # configuration is never cut


def test_import_brings_user_made_entities_and_user_attributes(media):
    made = household.build()
    document = _document()
    from hi.apps.places.models import Collection, Location

    Entity.objects.filter(pk=made["shed"].pk).delete()
    Location.objects.all().delete()
    Collection.objects.all().delete()
    made["thermo"].entity.name = "Renamed by sync"
    made["thermo"].entity.save()
    thermo_export = next(e for e in document["entities"] if e["key"] == "hass:Hall thermometer")
    thermo_export["user_fields"] = ["name"]
    thermo_export["attributes"].append({"name": "Shelf", "value_type": "text", "value": "A3", "source": "user"})
    counts = import_configuration(document)
    assert counts == {"locations": 2, "entities_created": 1, "entities_updated": 1, "attributes": 2,
                      "collections": 1, "floor_plans": 0, "history": 0, "hourly": 0, "events": 0,
                      "control_history": 0, "skipped": 0}  # this hub's own history is newer: none older taken
    shed = Entity.objects.get(name="Garden shed")
    assert shed.states.get().units == "°C"
    assert EntityAttribute.objects.get(entity=shed).value == "blue"
    made["thermo"].entity.refresh_from_db()
    assert made["thermo"].entity.name == "Hall thermometer" and "name" in made["thermo"].entity.user_fields
    assert EntityAttribute.objects.filter(entity=made["thermo"].entity, name="Shelf",
                                          source=AttributeSource.USER).exists()
    assert made["thermo"].entity.location.name == "Hall" and made["thermo"].entity.location.parent.name == "Ground floor"
    assert list(Collection.objects.get(name="Doors").items.values_list("entity_id", flat=True)) == [made["door"].entity.id]


def test_import_refuses_what_is_not_an_export_and_changes_nothing(media):
    with pytest.raises(BackupError, match="not a hi export"):
        import_configuration({"entities": []})
    with pytest.raises(BackupError, match="newer"):
        import_configuration({"format": "hi-export", "format_version": 9, "entities": []})
    document = {"format": "hi-export", "format_version": 1,
                "entities": [{"name": "Fine", "states": []}, {"name": "Broken", "states": [{"name": "x"}]}]}
    with pytest.raises(KeyError):
        import_configuration(document)
    assert not Entity.objects.filter(name="Fine").exists()  # all or nothing


def test_round_trip_into_an_empty_hub_brings_plans_files_and_history(media, tmp_path, settings):
    """Export everything, empty the hub as a new one would be, let a 'sync' recreate the integration's
    entities, import: plans, placements, the user's file, readings, aggregates, events and control
    history equal the source."""
    from hi.apps.control.models import ControllerHistory
    from hi.apps.entity.enums import EntityStateType as S
    from hi.apps.entity.tests.factories import make_device
    from hi.apps.event.models import Event
    from hi.apps.ops.models import SensorHourly
    from hi.apps.places.models import FloorPlan, Location, Placement
    from hi.apps.sense.models import SensorHistory

    made = household.build()
    hall = Location.objects.get(name="Hall")
    plan = FloorPlan.objects.create(location=hall, format="svg", width=10, height=5,
                                    data=b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    Placement.objects.create(plan=plan, entity=made["thermo"].entity, x=2, y=3, points=[[0, 0], [1, 1]])
    document = json.loads(json.dumps(_document()))  # what a file holds
    before = {
        "history": sorted(SensorHistory.objects.values_list("response_at", "value")),
        "hourly": sorted(SensorHourly.objects.values_list("hour", "count", "minimum", "maximum", "total")),
        "events": sorted(Event.objects.values_list("start", "end", "value", "duration_seconds", "details")),
        "control": sorted(ControllerHistory.objects.values_list("requested_at", "requested_value", "outcome")),
        "manual": made["manual"].file.read(),
    }
    from hi.apps.places.models import Collection

    for model in (Entity, Location, Collection):  # cascades to states, sensors, history, plans, ...
        model.objects.all().delete()
    assert not SensorHistory.objects.exists() and not ControllerHistory.objects.exists()
    settings.MEDIA_ROOT = tmp_path / "new-media"
    make_device("Hall thermometer", S.TEMPERATURE, integration_id="hass", value=21.0)  # the new hub's sync
    make_device("Back door", S.OPEN_CLOSE, integration_id="hass", value="closed", controllable=True)

    counts = import_configuration(document)
    assert counts["floor_plans"] == 1 and counts["history"] == 300 and counts["hourly"] == 1
    assert counts["events"] == 1 and counts["control_history"] == 1 and counts["skipped"] == 0
    assert sorted(SensorHistory.objects.values_list("response_at", "value")) == before["history"]
    assert sorted(SensorHourly.objects.values_list("hour", "count", "minimum", "maximum", "total")) == before["hourly"]
    assert sorted(Event.objects.values_list("start", "end", "value", "duration_seconds", "details")) == before["events"]
    assert sorted(ControllerHistory.objects.values_list("requested_at", "requested_value", "outcome")) == \
        before["control"]
    thermo = Entity.objects.get(name="Hall thermometer")
    manual = EntityAttribute.objects.get(entity=thermo, name="Manual")
    assert manual.file.read() == before["manual"]
    new_plan = FloorPlan.objects.get(location__name="Hall")
    assert bytes(new_plan.data) == b"<svg xmlns='http://www.w3.org/2000/svg'/>"
    assert list(new_plan.placements.values_list("entity_id", "x", "y", "points")) == [(thermo.id, 2, 3, [[0, 0], [1, 1]])]
    again = import_configuration(document)  # twice changes nothing
    assert again["history"] == again["hourly"] == again["events"] == again["control_history"] == 0
    assert again["floor_plans"] == again["attributes"] == 0
    assert SensorHistory.objects.count() == 300
