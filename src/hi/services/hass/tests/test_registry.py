"""Home Assistant's registries drive grouping, names, areas and exclusions (simulator over loopback)."""

from __future__ import annotations

import pytest

from hi.apps.entity.models import Entity, EntityAttribute
from hi.integrations.models import IntegrationAttribute
from hi.integrations.sync.engine import run_sync
from hi.services.hass.client.oneshot import read_registries
from hi.services.hass.testing import configure
from hi.simulator.hass import HassSimulator

pytestmark = pytest.mark.django_db


def _attrs(entity: Entity) -> dict[str, str]:
    return dict(EntityAttribute.objects.filter(entity=entity).values_list("name", "value"))


def test_registries_are_read_over_the_websocket(threaded_sim: HassSimulator) -> None:
    registries = read_registries(threaded_sim.url, threaded_sim.token)
    assert registries.available and not registries.missing
    assert registries.devices["dev_front_lock"].display_name == "Front door lock"
    assert registries.entities["sensor.router_signal"].disabled_by == "user"
    assert registries.area_of("sensor.front_door_battery").name == "Hallway"  # the device's area
    assert registries.area_of("light.bedroom").name == "Bedroom"  # its own area
    assert registries.floor_of(registries.areas["kitchen"]).name == "Ground floor"


def test_an_older_server_without_floors_and_labels_still_lists_the_rest(threaded_sim: HassSimulator) -> None:
    threaded_sim.store.registry.has_floors = False
    registries = read_registries(threaded_sim.url, threaded_sim.token)
    assert registries.missing == ["floor", "label"] and registries.devices and not registries.floors
    configure(threaded_sim)
    run_sync("hass")
    lock = Entity.objects.get(integration_name="lock.front_door")
    assert lock.integration_payload["location_path"] == ["Hallway"]


def test_a_device_is_one_entity_named_by_the_registry_with_its_area(threaded_sim: HassSimulator) -> None:
    configure(threaded_sim)
    report = run_sync("hass")
    lock = Entity.objects.get(integration_name="lock.front_door")
    assert lock.name == "Front door lock"
    assert {s.state_key for s in lock.states.all()} == {
        "lock.front_door", "sensor.front_door_battery", "binary_sensor.front_door_contact"}
    assert lock.integration_payload["location_path"] == ["Ground floor", "Hallway"]
    assert lock.integration_payload["device_id"] == "dev_front_lock"
    assert _attrs(lock)["Home Assistant area"] == "Hallway" and _attrs(lock)["Manufacturer"] == "Nuki"
    # device-less states fall back to name-based grouping
    assert Entity.objects.filter(integration_name="input_boolean.vacation_mode").exists()
    skipped = report.to_dict()["skipped"]
    assert skipped["hidden"] == 1 and skipped["service_only"] == 6 and skipped["unknown_domain:hologram"] == 1
    assert not Entity.objects.filter(integration_name="switch.garden_pump_child_lock").exists()
    names = set(Entity.objects.filter(integration_id="hass").values_list("integration_name", flat=True))
    assert not {n for n in names if n.split(".")[0] in ("tts", "zone", "hologram", "notify")}


def test_the_hidden_setting_imports_hidden_entities(threaded_sim: HassSimulator) -> None:
    integration = configure(threaded_sim)
    IntegrationAttribute.objects.update_or_create(integration=integration, key="import_hidden",
                                                  defaults={"value": "true"})
    run_sync("hass")
    irrigation = Entity.objects.get(integration_name="valve.garden_irrigation")
    assert "switch.garden_pump_child_lock" in {s.state_key for s in irrigation.states.all()}


def test_a_registry_change_shows_up_at_the_next_sync(threaded_sim: HassSimulator) -> None:
    configure(threaded_sim)
    run_sync("hass")
    threaded_sim.update_device("dev_front_lock", area_id="garage", name_by_user="Side door lock")
    report = run_sync("hass")
    lock = Entity.objects.get(integration_name="lock.front_door")
    assert lock.name == "Side door lock" and lock.integration_payload["area"]["name"] == "Garage"
    assert report.counts["update"] == 1


def test_the_area_becomes_the_entitys_room(threaded_sim: HassSimulator) -> None:
    configure(threaded_sim)
    run_sync("hass")
    lock = Entity.objects.select_related("location__parent").get(integration_name="lock.front_door")
    assert lock.location is not None and lock.location.name == "Hallway"
    assert lock.location.parent.name == "Ground floor"
    porch = Entity.objects.get(integration_name="light.porch")  # no area in HA: no room
    assert porch.location is None
