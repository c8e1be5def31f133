"""Import and refresh against the simulator in both API generations (v0.26 entities, v0.10 items)."""

from __future__ import annotations

import json

import pytest

from hi.apps.entity.models import Entity, EntityAttribute
from hi.integrations.sync.engine import run_sync
from hi.services.homebox.client import reset_sessions
from hi.services.homebox.hb_sync import forget_conversions
from hi.simulator.homebox import HomeBoxSimulator

from .conftest import configure

pytestmark = pytest.mark.django_db


def attributes_of(name: str) -> dict[str, tuple[str, str]]:
    rows = EntityAttribute.objects.filter(entity__name=name).values_list("name", "value", "value_type")
    return {attr: (value, kind) for attr, value, kind in rows}


def item_id(sim, name: str) -> str:
    return next(item.id for item in sim.state.items.values() if item.name == name)


def test_import_maps_items_to_typed_entities_with_read_only_attributes(sim):
    configure(sim)
    report = run_sync("homebox")
    assert report.counts["create"] == 9  # eight items and the warranty summary
    entities = {e.name: e for e in Entity.objects.filter(integration_id="homebox")}
    assert entities["Dishwasher"].entity_type == "appliance"
    assert entities["Network storage"].entity_type == "server"
    # "Electronics" and "Tools" name no hub type; v0.26's entity type "Item" does, the old lineage has none
    fallback = "item" if sim.state.entities_api else "other"
    assert entities["Living room TV"].entity_type == fallback
    assert entities["Cordless drill"].entity_type == fallback
    dishwasher = attributes_of("Dishwasher")
    assert dishwasher["Manufacturer"] == ("Bosch", "text")
    assert dishwasher["Purchase price (USD)"] == ("899", "number")
    assert dishwasher["Warranty expires"][1] == "date"
    assert dishwasher["Purchase date"][1] == "date"
    assert dishwasher["Location"] == ("Home / Kitchen", "text")
    assert dishwasher["Tags"] == ("Appliance", "text")
    assert dishwasher["Energy rating"] == ("A+", "text")
    assert entities["Dishwasher"].integration_payload["location_path"] == "Home / Kitchen"
    manual = dishwasher["Manual: Dishwasher manual.pdf"]
    assert manual[1] == "file" and manual[0].startswith(f"/homebox/items/{item_id(sim, 'Dishwasher')}/attachments/")
    assert dishwasher["Photo"][0].endswith(
        next(a.id for a in sim.state.items[item_id(sim, "Dishwasher")].attachments if a.primary))
    assert all(a.source == "integration" for a in EntityAttribute.objects.all())
    assert sim.state.attachment_downloads == 0  # files are fetched lazily, never during import


def test_link_attachments_are_links_and_no_secret_is_stored(sim):
    configure(sim)
    run_sync("homebox")
    link = attributes_of("Cordless drill")["Attachment: Manufacturer page"]
    if sim.state.vt >= (0, 11):
        assert link == ("https://www.example.com/dcd791", "url")
    stored = json.dumps(list(Entity.objects.values("integration_payload")))
    stored += json.dumps(list(EntityAttribute.objects.values("value")))
    assert sim.password not in stored and "Bearer" not in stored


def test_a_second_sync_changes_nothing_and_costs_a_constant_number_of_list_requests(sim):
    configure(sim)
    run_sync("homebox")
    sim.api.requests.clear()
    report = run_sync("homebox")
    assert report.changed_nothing
    collection = "entities" if sim.state.entities_api else "items"
    tree = "entities/tree" if sim.state.entities_api else "locations/tree"
    expected = {"GET /api/v1/status": 1, "GET /api/v1/groups": 1, f"GET /api/v1/{tree}": 1,
                f"GET /api/v1/{collection}": 1}
    assert sim.api.requests == expected  # no login: the token is reused
    # another process (no in-memory conversions, no token) reads the details the last sync stored
    forget_conversions()
    reset_sessions()
    sim.api.requests.clear()
    assert run_sync("homebox").changed_nothing
    assert sim.api.requests == {**expected, "POST /api/v1/users/login": 1}


def test_only_a_changed_item_is_read_again(sim):
    configure(sim)
    run_sync("homebox")
    washer = item_id(sim, "Washing machine")
    sim.state.update_item(washer, serial_number="NEW-SERIAL")
    sim.api.requests.clear()
    report = run_sync("homebox")
    assert report.counts["update"] == 1
    details = [path for path in sim.api.requests if path.count("/") == 4 and "tree" not in path]
    assert details == [f"GET /api/v1/{'entities' if sim.state.entities_api else 'items'}/{washer}"]
    assert attributes_of("Washing machine")["Serial number"] == ("NEW-SERIAL", "text")


def test_archived_item_is_detached_not_deleted_and_comes_back_when_unarchived(sim):
    configure(sim)
    run_sync("homebox")
    microwave = item_id(sim, "Microwave")
    sim.state.update_item(microwave, archived=True)
    report = run_sync("homebox")
    assert report.counts["detach"] == 1 and report.counts["remove"] == 0
    kept = Entity.objects.get(name="Microwave")
    assert kept.integration_id is None
    sim.state.update_item(microwave, archived=False)
    report = run_sync("homebox")
    assert report.counts["reconnect"] == 1
    assert Entity.objects.get(name="Microwave").integration_name == microwave


def test_removal_only_when_asked(sim):
    configure(sim)
    run_sync("homebox")
    sim.state.delete_item(item_id(sim, "Cordless drill"))
    report = run_sync("homebox", remove_missing=True)
    assert report.counts["remove"] == 1
    assert not Entity.objects.filter(name="Cordless drill").exists()


def test_a_rename_and_the_users_own_attributes_survive_every_refresh(sim):
    configure(sim)
    run_sync("homebox")
    fridge = Entity.objects.get(name="Refrigerator")
    fridge.name = "Kitchen fridge"
    fridge.mark_user_field("name")
    fridge.save()
    EntityAttribute.objects.create(entity=fridge, name="Filter size", value="XL", source="user")
    sim.state.update_item(item_id(sim, "Refrigerator"), name="Fridge (renamed in HomeBox)", notes="new notes")
    run_sync("homebox")
    fridge.refresh_from_db()
    assert fridge.name == "Kitchen fridge"
    assert attributes_of("Kitchen fridge")["Filter size"] == ("XL", "text")
    assert attributes_of("Kitchen fridge")["Notes"] == ("new notes", "text")


def test_the_location_path_suggests_the_room_once_and_a_persons_choice_wins(sim):
    from hi.apps.places.models import Location

    configure(sim)
    run_sync("homebox")
    dishwasher = Entity.objects.get(name="Dishwasher")
    assert dishwasher.location.name == "Kitchen" and dishwasher.location.parent.name == "Home"
    assert dishwasher.location.parent.parent is None  # HomeBox's root "Home" is the hub's home, not a room in it
    assert Location.objects.filter(name="Home").count() == 1
    garage = Location.objects.get(name="Garage")
    dishwasher.location = garage
    dishwasher.mark_user_field("location")
    dishwasher.save()
    basement = next(loc.id for loc in sim.state.locations.values() if loc.name == "Basement")
    sim.state.update_item(item_id(sim, "Dishwasher"), location_id=basement)
    run_sync("homebox")
    dishwasher.refresh_from_db()
    assert dishwasher.location == garage
    assert attributes_of("Dishwasher")["Location"] == ("Home / Basement", "text")


def test_a_malformed_item_is_skipped_the_rest_imported_and_nothing_detached(sim):
    configure(sim)
    run_sync("homebox")
    dryer = item_id(sim, "Washing machine")
    sim.state.update_item(dryer, warranty_expires="not a date")  # the detail now carries an unreadable date
    sim.state.update_item(item_id(sim, "Furnace"), notes="serviced")
    report = run_sync("homebox")
    assert report.counts["update"] == 1 and report.counts["detach"] == 0
    assert attributes_of("Furnace")["Notes"] == ("serviced", "text")
    assert Entity.objects.get(name="Washing machine").integration_name == dryer  # kept, still connected
    assert any("incomplete" in warning for warning in report.plan.warnings)


def test_warranties_ending_soon_is_a_state_an_alarm_rule_can_watch(sim):
    from hi.apps.alarm.rules import create_rule, test_rule

    configure(sim, warranty_days="30")
    run_sync("homebox")
    summary = Entity.objects.get(integration_id="homebox", integration_name="warranties")
    state = summary.states.get(state_key="ending_soon")
    assert summary.entity_type == "virtual" and state.value == 1 and state.units == "items"  # the fridge, in 20 days
    rule = create_rule({"name": "A warranty ends soon", "conditions": [{"state": state.pk, "op": "above", "value": 0}]})
    assert test_rule(rule["id"])["satisfied"]


def test_a_restarted_demo_inventory_is_the_same_inventory_not_a_second_copy(sim):
    """``hi demo`` run twice: the new simulator's items are the ones already imported."""
    configure(sim)
    first = run_sync("homebox")
    imported = set(Entity.objects.filter(integration_id="homebox").values_list("integration_name", flat=True))
    again = HomeBoxSimulator(sim.profile, version=sim.version)
    with again.running_in_thread():
        configure(again)
        report = run_sync("homebox")
    assert first.counts["create"] == len(imported) > 0
    assert report.counts["create"] == 0 and report.counts["detach"] == 0
    assert set(Entity.objects.filter(integration_id="homebox").values_list("integration_name", flat=True)) == imported
    assert Entity.objects.filter(integration_id__isnull=True).count() == 0
