"""The live monitor against the simulator: changes arrive at once, nothing is missed across faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async

from hi.apps.entity.models import Entity, EntityState
from hi.apps.monitor.context import WorkerContext
from hi.integrations.client import RetryPolicy
from hi.integrations.health import health_snapshot
from hi.integrations.models import Integration
from hi.integrations.sync.engine import run_sync
from hi.services.hass.monitors import HassMonitor
from hi.services.hass.testing import configure, eventually
from hi.simulator.hass import HassSimulator

pytestmark = pytest.mark.django_db(transaction=True)
FAST = {"backoff": RetryPolicy(base_delay=0.05, max_delay=0.2)}


@sync_to_async
def value_of(state_key: str) -> Any:
    return EntityState.objects.get(entity__integration_id="hass", state_key=state_key).value


@sync_to_async
def integration() -> Integration:
    return Integration.objects.get(integration_id="hass")


class Live:
    """A monitor running as the worker would run it, stopped at the end."""

    def __init__(self, sim: HassSimulator, **options: Any) -> None:
        options.setdefault("ws_options", FAST)
        self.monitor = HassMonitor(**options)
        self.context = WorkerContext("hass", sim.integration_attributes())
        self.task: asyncio.Task[None] | None = None

    async def start(self, wait_for_snapshot: bool = True) -> Live:
        self.task = asyncio.create_task(self.monitor.run(self.context))
        if wait_for_snapshot:
            await eventually(lambda: self.monitor.snapshots >= 1)
            await eventually(lambda: _health_is("healthy"))  # the monitor has reported its link
        return self

    async def stop(self) -> None:
        self.context.stop_event.set()
        assert self.task is not None
        await asyncio.wait_for(self.task, 10)


@pytest_asyncio.fixture
async def imported(sim: HassSimulator) -> HassSimulator:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    return sim


@pytest_asyncio.fixture
async def live(imported: HassSimulator) -> AsyncIterator[Live]:
    running = await Live(imported, ping_interval=0.3, ping_timeout=0.5).start()
    yield running
    await running.stop()


async def test_state_change_becomes_the_committed_value(imported: HassSimulator, live: Live) -> None:
    imported.set_state("sensor.wind", "7.5")
    imported.set_state("light.hallway", "on", {"brightness": 255})
    await eventually(lambda: _is(value_of("sensor.wind"), 7.5))
    await eventually(lambda: _is(value_of("light.hallway#brightness"), 100))
    assert await value_of("light.hallway") == "on"
    assert live.monitor.mode == "websocket"


async def _is(awaitable: Any, expected: Any) -> bool:
    return (await awaitable) == expected


async def test_restart_mid_stream_loses_nothing(imported: HassSimulator, live: Live) -> None:
    await imported.stop_listening()  # HA restarts: sockets die without a close frame
    imported.set_state("lock.back_door", "locked")  # while we are disconnected
    await imported.resume_listening()
    await eventually(lambda: _is(value_of("lock.back_door"), "locked"))
    assert live.monitor.snapshots >= 2


async def test_stall_is_detected_and_changes_after_it_arrive(imported: HassSimulator, live: Live) -> None:
    imported.stall()
    imported.set_state("sensor.barometer", "999.9")
    await eventually(lambda: not live.monitor._synced)
    imported.release_stall()
    await eventually(lambda: _is(value_of("sensor.barometer"), 999.9))


async def test_revoked_token_marks_the_integration_as_needing_credentials(imported: HassSimulator,
                                                                          live: Live) -> None:
    imported.revoke_token()
    await eventually(lambda: live.monitor.auth_failure is not None)
    stored = await eventually(lambda: _health_is("error"))
    assert stored["details"]["link"]["mode"] == "needs_credentials"
    assert imported.token not in stored["message"]


async def _health_is(status: str) -> dict[str, Any] | None:
    snapshot = await sync_to_async(health_snapshot)("hass")
    return snapshot if snapshot["health_status"] == status else None


async def test_falls_back_to_polling_and_says_so(imported: HassSimulator) -> None:
    imported.websocket_available = False
    running = await Live(imported, fallback_after=0.2, poll_interval=0.1).start(wait_for_snapshot=False)
    try:
        await eventually(lambda: running.monitor.mode == "polling")
        imported.set_state("sensor.wind", "11.0")
        await eventually(lambda: _is(value_of("sensor.wind"), 11))
        snapshot = await eventually(lambda: _health_is("warning"))
        assert "polling" in snapshot["message"]
        imported.websocket_available = True
        await eventually(lambda: running.monitor.mode == "websocket")
        assert (await sync_to_async(health_snapshot)("hass"))["health_status"] == "healthy"
    finally:
        await running.stop()


async def test_schema_drift_is_reported_and_recovers(imported: HassSimulator, live: Live) -> None:
    imported.faults.set("schema_drift")
    imported.set_state("sensor.wind", "1.5")
    await eventually(lambda: _failures_at_least(1))
    imported.faults.clear()
    imported.set_state("sensor.wind", "2.5")
    await eventually(lambda: _is(value_of("sensor.wind"), 2.5))


async def _failures_at_least(count: int) -> bool:
    return (await integration()).consecutive_failures >= count


async def test_added_and_removed_entities_mark_needs_sync(imported: HassSimulator, live: Live) -> None:
    imported.add_entity("switch.new_heater", "off", {"friendly_name": "New Heater"})
    stored = await eventually(lambda: _needs_sync())
    assert "switch.new_heater" in stored.needs_sync_reason
    imported.remove_entity("light.porch")
    stored = await eventually(lambda: _reason_mentions("light.porch"))
    assert stored.needs_sync


async def _needs_sync() -> Integration | None:
    stored = await integration()
    return stored if stored.needs_sync else None


async def _reason_mentions(text: str) -> Integration | None:
    stored = await integration()
    return stored if text in stored.needs_sync_reason else None


async def test_auto_sync_imports_new_entities_at_once(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim, auto_sync=True)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim).start()
    try:
        sim.add_entity("switch.new_heater", "on", {"friendly_name": "New Heater"})
        await eventually(lambda: _entity_exists("switch.new_heater"))
        sim.set_state("switch.new_heater", "off")
        await eventually(lambda: _is(value_of("switch.new_heater"), "off"))
        assert not (await integration()).needs_sync
    finally:
        await running.stop()


@sync_to_async
def _entity_exists(name: str) -> bool:
    return Entity.objects.filter(integration_id="hass", integration_name=name).exists()


async def test_a_manual_sync_settles_it_and_a_reconnect_does_not_flag_again(imported: HassSimulator,
                                                                            live: Live) -> None:
    imported.add_entity("switch.new_heater", "off", {"friendly_name": "New Heater"})
    await eventually(lambda: _needs_sync())
    await sync_to_async(run_sync)("hass")
    snapshots = live.monitor.snapshots
    await imported.stop_listening()
    await imported.resume_listening()
    await eventually(lambda: live.monitor.snapshots > snapshots)
    assert not (await integration()).needs_sync
