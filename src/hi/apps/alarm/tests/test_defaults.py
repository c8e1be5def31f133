"""Default rules made by syncs: life safety in every mode, intrusion by mode, battery; never resurrected."""

from __future__ import annotations

import pytest

from hi.apps.alarm import modes
from hi.apps.alarm.engine import get_engine
from hi.apps.alarm.models import Alert, Rule
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.enums import EntityType
from hi.apps.entity.models import EntityState
from hi.apps.sense.live.bus import StateChange
from hi.integrations.keys import IntegrationKey
from hi.integrations.models import Integration
from hi.integrations.sync.engine import apply_sync, plan_sync
from hi.integrations.sync.inventory import ExternalEntity, ExternalSensor, ExternalState, Inventory

from .helpers import at

pytestmark = pytest.mark.django_db


def _entity(name: str, entity_type: str, state_type: str) -> ExternalEntity:
    key = IntegrationKey("test", name)
    sensor = ExternalSensor(IntegrationKey("test", f"{name}.sensor"), name)
    return ExternalEntity(key=key, name=name.title(), entity_type=entity_type,
                          states=(ExternalState(state_key="main", name=name, state_type=state_type, sensor=sensor),))


HOME = (
    _entity("kitchen smoke", EntityType.SENSOR, S.SMOKE),
    _entity("boiler co", EntityType.SENSOR, S.CO),
    _entity("stove gas", EntityType.SENSOR, S.GAS),
    _entity("basement leak", EntityType.SENSOR, S.MOISTURE),
    _entity("back door", EntityType.DOOR, S.OPEN_CLOSE),
    _entity("garage light", EntityType.LIGHT, S.ON_OFF),
    _entity("hall motion", EntityType.MOTION_SENSOR, S.MOVEMENT),
    _entity("lock battery", EntityType.SENSOR, S.BATTERY_LEVEL),
)


def sync(entities=HOME, remove_missing: bool = False) -> None:
    apply_sync(plan_sync("test", Inventory("test", tuple(entities)), remove_missing=remove_missing))


@pytest.fixture(autouse=True)
def _integration(db):
    Integration.objects.create(integration_id="test", status="active")


def test_a_sync_creates_the_defaults_once():
    sync()
    rules = {r.name: r for r in Rule.objects.exclude(name="test: integration in error")}
    assert set(rules) == {
        "Kitchen Smoke: smoke detected", "Boiler Co: carbon monoxide detected", "Stove Gas: gas detected",
        "Basement Leak: water detected", "Back Door: opened while away", "Back Door: opened at night",
        "Hall Motion: motion while away", "Hall Motion: motion at night", "Lock Battery: battery low"}
    smoke = rules["Kitchen Smoke: smoke detected"]
    assert smoke.level == "critical" and smoke.life_safety and smoke.is_default
    assert set(smoke.modes) == {"disabled", "day", "night", "away"}
    assert rules["Back Door: opened at night"].level == "warning"
    assert rules["Back Door: opened at night"].modes == ["night"]
    assert rules["Lock Battery: battery low"].conditions[0]["op"] == "below"
    sync()
    assert Rule.objects.count() == 10  # and the integration's own


def test_a_deleted_default_never_comes_back_and_an_edited_one_keeps_its_edits():
    sync()
    Rule.objects.get(name="Kitchen Smoke: smoke detected").delete()
    edited = Rule.objects.get(name="Back Door: opened at night")
    edited.level = "critical"
    edited.save()
    sync()
    assert not Rule.objects.filter(name="Kitchen Smoke: smoke detected").exists()
    assert Rule.objects.get(name="Back Door: opened at night").level == "critical"


def test_a_removed_then_returning_state_gets_its_rule_back_pointed_at_it():
    sync()
    rule = Rule.objects.get(name="Basement Leak: water detected")
    sync([e for e in HOME if e.name != "Basement Leak"], remove_missing=True)
    assert not EntityState.objects.filter(entity__name="Basement Leak").exists()
    sync()
    state = EntityState.objects.get(entity__name="Basement Leak")
    rule.refresh_from_db()
    assert rule.conditions[0]["state"] == state.pk and rule.state_ids == [state.pk]
    assert Rule.objects.filter(name="Basement Leak: water detected").count() == 1


def test_smoke_fires_in_disabled_mode():
    sync()
    modes.set_mode("disabled", "test")
    state = EntityState.objects.get(entity__name="Kitchen Smoke")
    fired = get_engine().evaluate_changes(
        [StateChange(state.entity_id, state.pk, ("test:kitchen smoke.sensor",), "detected", "clear", at(0))],
        now=at(0))
    assert [f.rule.name for f in fired] == ["Kitchen Smoke: smoke detected"]
    assert Alert.objects.get().level == "critical"


def test_an_integration_in_error_for_five_minutes_raises_a_warning():
    sync()
    rule = Rule.objects.get(name="test: integration in error")
    assert rule.level == "warning" and rule.is_default
    engine = get_engine()
    assert engine.check_due(at(0)) == []
    Integration.objects.filter(integration_id="test").update(health_status="error")
    assert engine.check_due(at(10)) == []  # in error since the tick at 10 s
    assert engine.check_due(at(309)) == []
    assert [f.rule.name for f in engine.check_due(at(310))] == ["test: integration in error"]
    assert engine.check_due(at(400)) == []  # one incident
    Integration.objects.filter(integration_id="test").update(health_status="healthy")
    assert engine.check_due(at(401)) == []
    assert Alert.objects.get().rule_name == "test: integration in error"


def test_integration_conditions_are_validated():
    from hi.apps.alarm.conditions import RuleError, parse_rule

    base = {"name": "x", "modes": ["day"]}
    with pytest.raises(RuleError) as bad:
        parse_rule(base | {"conditions": [{"integration": "nope", "value": "error"}]})
    assert bad.value.field == "conditions[0].integration"
    with pytest.raises(RuleError) as bad:
        parse_rule(base | {"conditions": [{"integration": "test", "value": "broken"}]})
    assert bad.value.field == "conditions[0].value"
