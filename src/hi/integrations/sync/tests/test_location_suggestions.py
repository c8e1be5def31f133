"""Room suggestions from an integration (the toy system over loopback): applied once, matched by name
case-insensitively, never duplicated, and never over a person's choice."""

from __future__ import annotations

import pytest

from hi.apps.entity.models import Entity
from hi.apps.places import operations
from hi.apps.places.models import Location
from hi.integrations.sync.engine import run_sync
from hi.integrations.testing.gateway import TOY

pytestmark = pytest.mark.django_db


def entity(device_id: str) -> Entity:
    return Entity.objects.select_related("location").get(integration_id=TOY, integration_name=device_id)


def paths() -> list[str]:
    return sorted(row["path"] for row in operations.list_locations())


def test_a_suggestion_creates_the_missing_places_once(toy_simulator, toy_gateway, toy_attributes):
    toy_simulator.add_device("fridge", "Fridge", "light", room="Ground floor/Kitchen")
    toy_simulator.add_device("oven", "Oven light", "light", room="ground FLOOR / kitchen")
    toy_simulator.add_device("bed", "Bed lamp", "light", room="Bedroom")
    from hi.integrations.lifecycle import configure, enable

    configure(TOY, toy_attributes)
    enable(TOY)
    report = run_sync(TOY)
    assert report.to_dict()["details"]["locations_created"] == 4  # Home, Ground floor, Kitchen, Bedroom
    assert paths() == ["Home", "Home / Bedroom", "Home / Ground floor", "Home / Ground floor / Kitchen"]
    assert entity("fridge").location == entity("oven").location
    assert entity("fridge").location.name == "Kitchen"  # the first spelling seen names the room
    assert entity("kitchen").location is None  # the toy says nothing about this one

    again = run_sync(TOY)
    assert again.changed_nothing and again.to_dict()["details"]["locations_created"] == 0
    assert Location.objects.count() == 4


def test_a_suggestion_matches_an_existing_room_anywhere_in_the_tree(toy_integration, toy_simulator):
    operations.create_location("Home")
    operations.create_location("Upstairs", parent="Home")
    operations.create_location("Study", parent="Upstairs")
    toy_simulator.add_device("desk", "Desk lamp", "light", room="STUDY")
    run_sync(TOY)
    assert entity("desk").location.pk == operations.find_location("Home / Upstairs / Study").pk
    assert Location.objects.count() == 3


def test_a_persons_room_survives_resyncs_renames_and_new_suggestions(toy_integration, toy_simulator):
    toy_simulator.add_device("lamp", "Lamp", "light", room="Lounge")
    run_sync(TOY)
    operations.create_location("Study", parent="Home")
    operations.assign(entity("lamp"), "Study")

    toy_simulator.rename_device("lamp", "Reading lamp")
    toy_simulator.move_device("lamp", "Garage")
    report = run_sync(TOY)
    lamp = entity("lamp")
    assert lamp.name == "Reading lamp"  # the integration still owns the name
    assert lamp.location.name == "Study"  # the person owns the room
    assert report.to_dict()["details"]["locations_created"] == 0
    assert not Location.objects.filter(name="Garage").exists()


def test_a_suggestion_is_applied_once_not_on_every_sync(toy_integration, toy_simulator):
    toy_simulator.add_device("lamp", "Lamp", "light", room="Lounge")
    run_sync(TOY)
    lounge = entity("lamp").location
    operations.delete_location(lounge.pk)  # a person removes the room...
    assert entity("lamp").location is None  # ...the entity stays, room-less
    assert run_sync(TOY).changed_nothing  # ...and the same suggestion does not bring it back
    assert not Location.objects.filter(name="Lounge").exists()

    toy_simulator.move_device("lamp", "Hall")  # a new suggestion is applied (once)
    report = run_sync(TOY)
    assert entity("lamp").location.name == "Hall"
    assert any("location suggested: Hall" in c for a in report.to_dict()["actions"] for c in a["changes"])


def test_a_dry_run_shows_the_places_it_would_create_and_writes_none(toy_integration, toy_simulator):
    toy_simulator.add_device("lamp", "Lamp", "light", room="Attic")
    report = run_sync(TOY, dry_run=True)
    assert report.to_dict()["details"]["locations_created"] == 2  # Home and Attic
    assert Location.objects.count() == 0 and entity("kitchen").location is None


def test_deleting_a_room_leaves_its_entities_roomless_and_moves_its_children_up(toy_integration):
    operations.create_location("Home")
    operations.create_location("Ground floor", parent="Home")
    operations.create_location("Kitchen", parent="Ground floor")
    operations.assign(entity("kitchen"), "Ground floor")
    result = operations.delete_location(operations.find_location("Ground floor").pk)
    assert result == {"deleted": "Ground floor", "entities_unassigned": 1}
    assert entity("kitchen").location is None and Entity.objects.filter(integration_id=TOY).count() == 4
    assert paths() == ["Home", "Home / Kitchen"]
