"""Collections (ordered, any integration, all-or-nothing member changes) and things added by hand (never
touched by a sync; linkable later to an integration's entity without losing anything)."""

from __future__ import annotations

import pytest

from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.models import Entity, EntityAttribute
from hi.apps.places import collections, operations, plans
from hi.apps.places.models import CollectionItem, Placement
from hi.apps.places.tests.svgs import floor_svg
from hi.integrations.sync.engine import run_sync
from hi.integrations.testing.gateway import TOY

pytestmark = pytest.mark.django_db


def test_a_collection_keeps_its_members_in_order_and_refuses_bad_changes():
    a, b, c = (Entity.objects.create(name=n, integration_id=iid, integration_name=n)
               for n, iid in (("Front door", "hass"), ("Back door", "zoneminder"), ("Shed", None)))
    doors = collections.create_collection("Doors", pinned=True, entity_ids=[b.id, a.id])
    assert doors["entity_ids"] == [b.id, a.id] and doors["pinned"]
    assert collections.add_to_collection("doors", c.id)["entity_ids"] == [b.id, a.id, c.id]
    assert collections.update_collection(doors["id"], entity_ids=[c.id, a.id, b.id])["entity_ids"] == [c.id, a.id, b.id]
    for bad, message in [([a.id, a.id], "only once"), ([999999], "no entity"), (["x"], "list of entity ids")]:
        with pytest.raises(operations.PlaceError, match=message):
            collections.update_collection(doors["id"], entity_ids=bad)
    assert collections.get_collection(doors["id"])["entity_ids"] == [c.id, a.id, b.id]
    with pytest.raises(operations.PlaceError, match="already exists"):
        collections.create_collection("DOORS")
    b.delete()
    assert collections.get_collection(doors["id"])["entity_ids"] == [c.id, a.id]
    assert collections.delete_collection(doors["id"]) == {"deleted": "Doors"}
    assert Entity.objects.count() == 2


def test_a_thing_added_by_hand_survives_every_sync(toy_integration):
    shutoff = operations.create_entity("Water main shut-off", "appliance")
    run_sync(TOY, remove_missing=True)
    run_sync(TOY)
    assert Entity.objects.filter(pk=shutoff.pk).exists()
    assert set(shutoff.user_fields) == {"name", "entity_type", "location"}


def test_linking_a_hand_made_thing_moves_everything_the_person_made(toy_integration):
    home = operations.create_location("Home")["id"]
    plans.save_plan(home, floor_svg())
    fridge = operations.create_entity("Fridge", "appliance", room="Home")
    EntityAttribute.objects.create(entity=fridge, name="Manual", value="see drawer", source=AttributeSource.USER)
    plans.set_placements(home, [{"entity_id": fridge.id, "x": 5, "y": 5}])
    collections.create_collection("Kitchen things", entity_ids=[fridge.id])
    toy = Entity.objects.get(integration_id=TOY, integration_name="kitchen")

    linked = operations.link_manual(fridge.id, f"{TOY}:kitchen")
    assert linked.pk == toy.pk and not Entity.objects.filter(pk=fridge.pk).exists()
    toy.refresh_from_db()
    assert toy.location_id == home and "location" in toy.user_fields
    assert EntityAttribute.objects.get(name="Manual").entity_id == toy.pk
    assert Placement.objects.get().entity_id == toy.pk
    assert CollectionItem.objects.get().entity_id == toy.pk
    run_sync(TOY)  # the integration's sync keeps the person's place
    toy.refresh_from_db()
    assert toy.location_id == home

    with pytest.raises(operations.PlaceError, match="not added by hand"):
        operations.link_manual(toy.pk, toy.pk)
