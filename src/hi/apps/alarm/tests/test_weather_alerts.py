"""Severe weather: the weather simulator issues NWS alerts, the monitor turns them into events, default rules alert.

End to end over a real loopback socket: simulator → weather service → pipeline → the engine's
after-commit hook → alerts. Each NWS alert is its own incident; the level follows its severity.
"""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import sync_to_async

from hi.apps.alarm import modes
from hi.apps.alarm.conditions import RuleError, parse_rule
from hi.apps.alarm.defaults import ensure_defaults
from hi.apps.alarm.models import Alert, Rule
from hi.apps.alarm.rules import delete_rule, set_enabled
from hi.apps.entity.models import EntityState
from hi.apps.event.models import Event
from hi.apps.monitor.context import WorkerContext
from hi.integrations.sync.engine import run_sync
from hi.services.weather.monitor import WeatherMonitor
from hi.services.weather.testing import configure_and_sync, started
from hi.simulator.weather import WeatherSimulator
from hi.utils.clock import ManualClock

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_thread_connections")]


def _alerts() -> list[tuple[str, str, str, str, int]]:
    """(rule kind, level, status, detail, alarms) per alert, oldest first."""
    return [(a.rule_name.split(": ")[-1], a.level, a.status, a.detail, a.alarms.count())
            for a in Alert.objects.order_by("id")]


def _weather_rules() -> dict[str, Rule]:
    return {r.name.split(": ")[-1]: r for r in Rule.objects.filter(is_default=True, conditions__0__op="alert")}


async def _poll(monitor: WeatherMonitor, context: WorkerContext, manual: ManualClock) -> None:
    manual.advance(180)
    await monitor.refresh(context)


async def test_severe_weather_raises_one_alert_per_nws_alert_at_its_severity(sim: WeatherSimulator,
                                                                           manual: ManualClock) -> None:
    monitor, context = await started(sim, manual)
    rules = await sync_to_async(_weather_rules)()
    assert {name: (r.level, r.life_safety, r.enabled) for name, r in rules.items()} == {
        "extreme weather alert": ("critical", True, True), "severe weather alert": ("warning", False, True)}
    await sync_to_async(modes.set_mode)("disabled", "test")  # extreme weather is life safety: every mode

    end = manual.now() + dt.timedelta(hours=2)
    tornado = sim.add_alert("Tornado Warning", severity="Extreme", headline="Tornado Warning until 3 PM", expires=end)
    sim.add_alert("Frost Advisory", severity="Minor", urgency="Expected", expires=end)
    await _poll(monitor, context, manual)
    assert await sync_to_async(_alerts)() == [
        ("extreme weather alert", "critical", "open", "Tornado Warning until 3 PM", 1)]
    first = await sync_to_async(Alert.objects.get)()
    event = await sync_to_async(Event.objects.get)(correlation_id=tornado.id)
    assert (first.incident, first.event_ids) == (tornado.id, [event.pk])

    await _poll(monitor, context, manual)  # the same warning, polled again: nothing new
    assert len(await sync_to_async(_alerts)()) == 1

    # a second tornado warning while the first is open is another incident, and a severe one its own level
    second = sim.add_alert("Tornado Warning", severity="Extreme", headline="Second tornado warning", expires=end)
    await sync_to_async(modes.set_mode)("day", "test")
    sim.add_alert("Severe Thunderstorm Warning", severity="Severe", headline="Storm until 2 PM", expires=end)
    await _poll(monitor, context, manual)
    assert await sync_to_async(_alerts)() == [
        ("extreme weather alert", "critical", "open", "Tornado Warning until 3 PM", 1),
        ("extreme weather alert", "critical", "open", "Second tornado warning", 1),
        ("severe weather alert", "warning", "open", "Storm until 2 PM", 1)]

    # every alert ends, then a new one: the rule re-armed when its conditions cleared
    for alert in list(sim.alerts):
        sim.clear_alert(alert.id)
    await _poll(monitor, context, manual)
    assert not await sync_to_async(lambda: list(Event.objects.filter(end__isnull=True, correlation_id=second.id)))()
    sim.add_alert("Tornado Warning", severity="Extreme", headline="Third", expires=manual.now() + dt.timedelta(hours=1))
    await _poll(monitor, context, manual)
    assert [a[3] for a in await sync_to_async(_alerts)()][-1] == "Third"
    assert len(await sync_to_async(_alerts)()) == 4
    await monitor.stop()


async def test_weather_defaults_can_be_disabled_and_deleted_and_never_come_back(sim: WeatherSimulator,
                                                                             manual: ManualClock) -> None:
    monitor, context = await started(sim, manual)
    rules = await sync_to_async(_weather_rules)()
    await sync_to_async(set_enabled)(rules["extreme weather alert"].pk, False)
    await sync_to_async(delete_rule)(rules["severe weather alert"].pk)
    await sync_to_async(run_sync)("weather")
    assert await sync_to_async(ensure_defaults)("weather") == 0
    assert set(await sync_to_async(_weather_rules)()) == {"extreme weather alert"}

    end = manual.now() + dt.timedelta(hours=1)
    sim.add_alert("Tornado Warning", severity="Extreme", expires=end)
    sim.add_alert("Severe Thunderstorm Warning", severity="Severe", expires=end)
    await _poll(monitor, context, manual)
    assert await sync_to_async(_alerts)() == []
    await monitor.stop()


async def test_an_alert_condition_is_only_for_an_alerts_state(sim: WeatherSimulator, manual: ManualClock) -> None:
    await sync_to_async(configure_and_sync)(sim.integration_attributes())

    def check() -> None:
        states = {s.state_key: s for s in EntityState.objects.filter(entity__integration_id="weather")}
        alerts, temperature = states["alerts"].pk, states["temperature"].pk
        base = {"name": "storm", "modes": ["day"]}
        spec = parse_rule(base | {"conditions": [{"state": alerts, "op": "alert", "value": "Severe"}]})
        assert spec.conditions == [{"state": alerts, "op": "alert", "value": "severe"}]
        bad = [({"state": temperature, "op": "alert", "value": "severe"}, "conditions[0].op"),
               ({"state": alerts, "op": "eq", "value": "severe"}, "conditions[0].op"),
               ({"state": alerts, "op": "alert", "value": "bad"}, "conditions[0].value"),
               ({"state": alerts, "op": "alert", "value": "any", "held_for": 60}, "conditions[0].held_for")]
        for condition, field in bad:
            with pytest.raises(RuleError) as caught:
                parse_rule(base | {"conditions": [condition]})
            assert caught.value.field == field

    await sync_to_async(check)()
