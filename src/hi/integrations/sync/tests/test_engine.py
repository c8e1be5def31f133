"""Sync semantics: create / update / reconnect / detach / remove, field ownership, idempotency."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from hi.apps.control.models import Controller
from hi.apps.entity.enums import AttributeSource, EntityStateType
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.sense.models import Sensor, SensorHistory
from hi.integrations.keys import IntegrationKey
from hi.integrations.sync.engine import apply_sync, plan_sync
from hi.integrations.sync.inventory import (
    ExternalAttribute,
    ExternalController,
    ExternalEntity,
    ExternalSensor,
    ExternalState,
    Inventory,
)

pytestmark = pytest.mark.django_db
IID = "demo"


def key(name: str) -> IntegrationKey:
    return IntegrationKey(IID, name)


def light(name: str, label: str = "", *, dimmer: bool = False, serial: str = "") -> ExternalEntity:
    states = [ExternalState("power", "Power", EntityStateType.ON_OFF, value="off",
                            sensor=ExternalSensor(key(f"{name}.power"), f"{name} power"),
                            controller=ExternalController(key(f"{name}.power"), f"{name} switch"))]
    if dimmer:
        states.append(ExternalState("brightness", "Brightness", EntityStateType.LIGHT_DIMMER, units="%",
                                    sensor=ExternalSensor(key(f"{name}.brightness"), "brightness")))
    attributes = (ExternalAttribute("serial", serial),) if serial else ()
    return ExternalEntity(key(name), label or name.title(), "light", tuple(states), attributes,
                          payload={"id": name})


def inventory(*entities: ExternalEntity, complete: bool = True) -> Inventory:
    return Inventory(IID, tuple(entities), complete=complete)


def sync(inv: Inventory, remove_missing: bool = False):
    return apply_sync(plan_sync(IID, inv, remove_missing=remove_missing))


def test_first_sync_creates_everything_and_reports_names():
    report = sync(inventory(light("kitchen", dimmer=True, serial="S1"), light("hall")))
    assert report.counts == {"create": 2, "update": 0, "reconnect": 0, "detach": 0, "remove": 0}
    assert sorted(report.to_dict()["names"]["create"]) == ["Hall", "Kitchen"]
    json.dumps(report.to_dict())
    kitchen = Entity.objects.get(integration_name="kitchen")
    assert kitchen.integration_payload == {"id": "kitchen"}
    assert sorted(kitchen.states.values_list("state_key", flat=True)) == ["brightness", "power"]
    power = kitchen.states.get(state_key="power")
    assert power.value == "off" and power.value_range == ["off", "on"]
    assert Sensor.objects.get(integration_name="kitchen.power").entity_state == power
    assert Controller.objects.get(integration_name="kitchen.power").entity_state == power
    assert EntityAttribute.objects.get(entity=kitchen).source == AttributeSource.INTEGRATION


def test_second_sync_with_the_same_inventory_plans_nothing():
    inv = inventory(light("kitchen", dimmer=True, serial="S1"), light("hall"))
    sync(inv)
    plan = plan_sync(IID, inv)
    assert plan.is_empty and plan.counts["update"] == 0


def test_dry_run_plan_writes_nothing():
    plan = plan_sync(IID, inventory(light("kitchen")))
    assert plan.counts["create"] == 1
    assert Entity.objects.count() == 0


def test_integration_fields_follow_the_external_system_but_user_renames_survive():
    sync(inventory(light("kitchen"), light("hall")))
    hall = Entity.objects.get(integration_name="hall")
    hall.name = "Front hall"
    hall.mark_user_field("name")
    hall.save()
    report = sync(inventory(light("kitchen", "Kitchen lights"), light("hall", "Hallway")))
    assert report.counts["update"] == 1
    assert Entity.objects.get(integration_name="kitchen").name == "Kitchen lights"
    assert Entity.objects.get(integration_name="hall").name == "Front hall"
    assert plan_sync(IID, inventory(light("kitchen", "Kitchen lights"), light("hall", "Hallway"))).is_empty


def test_user_renamed_state_keeps_its_name():
    sync(inventory(light("kitchen")))
    state = EntityState.objects.get(state_key="power")
    state.name = "Main switch"
    state.user_fields = ["name"]
    state.save()
    assert plan_sync(IID, inventory(light("kitchen"))).is_empty


def test_states_sensors_and_attributes_added_and_removed_within_an_entity():
    sync(inventory(light("kitchen", serial="S1")))
    report = sync(inventory(light("kitchen", dimmer=True, serial="S2")))
    assert report.counts["update"] == 1
    kitchen = Entity.objects.get()
    assert kitchen.states.count() == 2
    assert list(EntityAttribute.objects.values_list("value", flat=True)) == ["S2"]
    sync(inventory(light("kitchen")))
    assert list(kitchen.states.values_list("state_key", flat=True)) == ["power"]
    assert not Sensor.objects.filter(integration_name="kitchen.brightness").exists()
    assert not EntityAttribute.objects.exists()


def test_missing_entity_is_detached_and_reconnected_with_its_history():
    sync(inventory(light("kitchen"), light("hall")))
    sensor = Sensor.objects.get(integration_name="hall.power")
    SensorHistory.objects.create(sensor=sensor, value="on", response_at="2026-01-01T00:00:00Z")
    report = sync(inventory(light("kitchen")))
    assert report.counts["detach"] == 1
    hall = Entity.objects.get(name="Hall")
    assert hall.is_detached and hall.detached_key == "demo:hall"
    sensor.refresh_from_db()
    assert sensor.is_detached
    assert plan_sync(IID, inventory(light("kitchen"))).is_empty
    report = sync(inventory(light("kitchen"), light("hall")))
    assert report.counts == {"create": 0, "update": 0, "reconnect": 1, "detach": 0, "remove": 0}
    hall.refresh_from_db()
    sensor.refresh_from_db()
    assert hall.integration_key == key("hall") and sensor.integration_key == key("hall.power")
    assert sensor.history.count() == 1


def test_remove_missing_removes_only_entities_without_user_data():
    sync(inventory(light("kitchen"), light("hall"), light("porch")))
    porch = Entity.objects.get(integration_name="porch")
    EntityAttribute.objects.create(entity=porch, name="bulb", value="E27")
    report = sync(inventory(light("kitchen")), remove_missing=True)
    assert report.counts["remove"] == 1 and report.counts["detach"] == 1
    assert not Entity.objects.filter(name="Hall").exists()
    assert Entity.objects.get(name="Porch").is_detached


def test_incomplete_inventory_never_detaches_or_removes():
    sync(inventory(light("kitchen"), light("hall")))
    plan = plan_sync(IID, inventory(light("kitchen"), complete=False), remove_missing=True)
    assert plan.is_empty and plan.warnings
    assert Entity.objects.filter(integration_id=IID).count() == 2


def test_bad_parts_of_an_inventory_are_skipped_with_warnings():
    broken = ExternalEntity(key("odd"), "Odd", "not-a-type",
                            (ExternalState("x", "X", "no-such-state-type"),))
    foreign = ExternalEntity(IntegrationKey("other", "thing"), "Thing", "light")
    plan = plan_sync(IID, inventory(broken, light("kitchen"), light("kitchen"), foreign))
    assert plan.counts["create"] == 2
    assert len(plan.warnings) == 3
    apply_sync(plan)
    assert Entity.objects.get(integration_name="odd").entity_type == "other"


def test_sensor_moving_between_entities_keeps_its_identity():
    sync(inventory(light("kitchen")))
    sensor_id = Sensor.objects.get(integration_name="kitchen.power").pk
    moved = ExternalEntity(key("kitchen-2"), "Kitchen 2", "light", (
        ExternalState("power", "Power", EntityStateType.ON_OFF,
                      sensor=ExternalSensor(key("kitchen.power"), "kitchen power")),))
    sync(inventory(moved), remove_missing=True)
    sensor = Sensor.objects.get(integration_name="kitchen.power")
    assert sensor.pk == sensor_id and sensor.entity_state.entity.integration_name == "kitchen-2"
    assert not Entity.objects.filter(integration_name="kitchen").exists()


def test_planning_reads_a_fixed_number_of_queries_whatever_the_size(django_assert_max_num_queries):
    sync(inventory(*(light(f"room{i}", dimmer=True, serial=str(i)) for i in range(60))))
    with django_assert_max_num_queries(6):
        assert plan_sync(IID, inventory(*(light(f"room{i}", dimmer=True, serial=str(i))
                                          for i in range(60)))).is_empty


def test_a_value_from_the_inventory_never_outranks_the_first_sensor_response():
    from hi.apps.sense.live.bus import LiveBus
    from hi.apps.sense.pipeline import SensorResponsePipeline
    from hi.integrations.sensor_response import SensorResponse

    sync(inventory(light("kitchen")))
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)  # an external clock that runs behind ours
    SensorResponsePipeline(LiveBus()).process([SensorResponse(key("kitchen.power"), "on", an_hour_ago)])
    state = EntityState.objects.get(state_key="power")
    assert state.value == "on" and state.value_updated_at == an_hour_ago


def test_nul_in_external_text_is_removed_at_the_boundary_and_the_sync_succeeds(caplog):
    # security audit finding 8: on PostgreSQL a NUL in a friendly name failed the whole sync, and one in a
    # live value dropped its batch; run this file with DATABASE_URL pointing at PostgreSQL to see the old failure
    from hi.apps.sense.live.bus import LiveBus
    from hi.apps.sense.pipeline import SensorResponsePipeline
    from hi.integrations.sensor_response import SensorResponse

    odd = ExternalEntity(key("odd"), "Odd\x00 lamp", "light",
                         (ExternalState("power", "Po\x00wer", EntityStateType.ON_OFF, value="o\x00ff",
                                        sensor=ExternalSensor(key("odd.power"), "odd\x00 power")),),
                         (ExternalAttribute("ser\x00ial", "S\x001"),), payload={"k\x00": ["v\x00"]},
                         location=("Ground\x00 floor",))
    report = sync(inventory(odd, light("hall")))
    assert report.counts["create"] == 2
    entity = Entity.objects.get(integration_name="odd")
    assert entity.name == "Odd lamp" and entity.integration_payload == {"k": ["v"]}
    state = entity.states.get()
    assert (state.name, state.value) == ("Power", "off")
    assert EntityAttribute.objects.get(entity=entity).value == "S1"
    assert "removed NUL characters" in caplog.text
    changes = SensorResponsePipeline(LiveBus()).process([
        SensorResponse(key("odd.power"), "o\x00n", timezone.now(), detail_attrs={"why\x00": "b\x00utton"}),
        SensorResponse(key("hall.power"), "on", timezone.now()),
    ])
    assert len(changes) == 2  # the whole batch, not dropped
    state.refresh_from_db()
    assert state.value == "on"
    assert SensorHistory.objects.filter(sensor__integration_name="odd.power", value="on").exists()
