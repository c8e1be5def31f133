"""Registry changes in Home Assistant reach hi through registry-updated events: flagged, or synced at once."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from hi.apps.entity.models import Entity
from hi.integrations.sync.engine import run_sync
from hi.services.hass.testing import configure
from hi.simulator.hass import HassSimulator

from .test_monitor import Live, eventually, integration

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def _lock() -> Entity:
    return Entity.objects.select_related("location").get(integration_name="lock.front_door")


async def test_a_burst_of_registry_events_flags_one_sync(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim, registry_settle=0.2).start()
    try:
        sim.update_device("dev_front_lock", area_id="garage")
        sim.update_entity_entry("sensor.front_door_battery", name="Lock battery")
        stored = await eventually(lambda: _flagged())
        assert "registry changed (device dev_front_lock update and 1 more)" in stored.needs_sync_reason
        follower = running.monitor.registry
        assert follower is not None
        await eventually(lambda: follower.handled >= 1)  # counted once its flag is written, just after
        assert follower.handled == 1
        assert (await _lock()).location.name == "Hallway"  # flagged, not synced: nothing changed yet
    finally:
        await running.stop()


async def test_with_auto_sync_the_area_move_reaches_the_entity(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim, auto_sync=True)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim, registry_settle=0.1).start()
    try:
        sim.update_device("dev_front_lock", area_id="garage", name_by_user="Side door lock")
        lock = await eventually(lambda: _moved())
        assert lock.name == "Side door lock" and lock.integration_payload["area"]["name"] == "Garage"
        assert not (await integration()).needs_sync
    finally:
        await running.stop()


async def test_hiding_an_entity_in_ha_is_not_drift_once_synced(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim, registry_settle=0.1).start()
    try:
        sim.update_entity_entry("light.porch", hidden_by="user")
        await eventually(lambda: _flagged())
        await sync_to_async(run_sync)("hass")
        assert not await sync_to_async(Entity.objects.filter(integration_name="light.porch").exists)()
        sim.set_state("light.porch", "on")  # a hidden entity's change is neither imported nor drift
        sim.set_state("sensor.wind", "9.9")
        await eventually(lambda: _wind_is(9.9))
        assert not (await integration()).needs_sync
    finally:
        await running.stop()


async def _flagged() -> object:
    stored = await integration()
    return stored if stored.needs_sync else None


async def _moved() -> Entity | None:
    lock = await _lock()
    return lock if lock.location is not None and lock.location.name == "Garage" else None


@sync_to_async
def _wind_is(value: float) -> bool:
    return Entity.objects.get(integration_name="sensor.wind").states.get().value == value


def test_the_flag_is_judged_by_what_a_sync_wrote_not_by_when_it_ran(threaded_sim: HassSimulator) -> None:
    """A burst handled after a sync that already imported the change flags nothing; one the last sync
    did not see flags; and a sync that commits while the plan is being made is planned against again."""
    from hi.integrations.models import Integration
    from hi.services.hass.monitors import _flag_registry_change

    configure(threaded_sim)
    run_sync("hass")
    assert not _flag_registry_change("registry changed (device d update)", lambda: False)
    assert not Integration.objects.get(integration_id="hass").needs_sync
    plans: list[bool] = []

    def a_sync_lands_during_the_first_plan() -> bool:
        plans.append(True)
        if len(plans) == 1:
            run_sync("hass")  # commits between the plan and the flag
            return True  # what the first plan saw, before that sync
        return False  # planned again: the sync settled it
    assert not _flag_registry_change("registry changed (device d update)", a_sync_lands_during_the_first_plan)
    assert len(plans) == 2 and not Integration.objects.get(integration_id="hass").needs_sync
    _flag_registry_change("registry changed (device d update)", lambda: True)
    assert Integration.objects.get(integration_id="hass").needs_sync


async def test_a_registry_change_that_changes_nothing_hi_imports_flags_nothing(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim, registry_settle=0.05).start()
    try:
        sim.update_entity_entry("sensor.front_door_battery", labels=["battery"])  # hi does not use labels
        await eventually(lambda: running.monitor.registry is not None and running.monitor.registry.handled == 1)
        assert not (await integration()).needs_sync
    finally:
        await running.stop()


async def test_a_registry_change_while_disconnected_is_found_after_the_reconnect(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim, registry_settle=0.05).start()
    try:
        await sim.stop_listening()  # the link is down: the registry event below reaches nobody
        sim.update_device("dev_front_lock", name_by_user="Side door lock")
        await sim.resume_listening()
        stored = await eventually(lambda: _flagged())
        assert "reconnected" in stored.needs_sync_reason
    finally:
        await running.stop()


async def test_a_burst_that_settles_while_the_link_is_down_is_checked_once_it_is_back(sim: HassSimulator) -> None:
    """Not being able to re-read HA must not flag by itself: the check waits for the link and is made then."""
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim, registry_settle=0.2).start()
    follower = running.monitor.registry
    assert follower is not None
    try:
        sim.update_entity_entry("sensor.front_door_battery", labels=["battery"])  # nothing hi imports changes
        await eventually(lambda: follower.reasons)  # the event arrived; the burst is gathering
        await sim.stop_listening()
        await eventually(lambda: follower.settled == 1)  # it settled with HA out of reach
        await sim.resume_listening()
        await eventually(lambda: follower.handled >= 1)
        assert not (await integration()).needs_sync
    finally:
        await running.stop()


async def test_until_the_registries_are_read_hidden_and_disabled_entities_are_not_drift(sim: HassSimulator) -> None:
    """HA's WebSocket is unusable when the monitor starts (so are the registries): polled listings show the hidden
    and disabled entities, which the last sync left out on purpose, and must not flag them as new."""
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    sim.websocket_available = False
    running = await Live(sim, fallback_after=0.2, poll_interval=0.1).start(wait_for_snapshot=False)
    try:
        await eventually(lambda: running.monitor.polls >= 2)
        assert not (await integration()).needs_sync
        sim.websocket_available = True
        await eventually(lambda: running.monitor.mode == "websocket" and running.monitor.snapshots >= 1)
        assert running.monitor._tracker is not None and running.monitor._tracker.registries is not None
        assert not (await integration()).needs_sync
    finally:
        await running.stop()
