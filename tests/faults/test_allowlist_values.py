"""Allowlist changes and the syncs that follow: reconnected states carry the peer's current values at
once, and the live monitor records them (and changes after them) without waiting for the next change."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from hi.apps.entity.models import EntityState
from hi.integrations.models import Integration
from hi.integrations.sync.engine import run_sync
from hi.services.hass.testing import configure, eventually
from hi.simulator.hass import HassSimulator

from .harness import LiveHass, history_of

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def value_of(state_key: str) -> object:
    return EntityState.objects.get(entity__integration_id="hass", state_key=state_key).value


@sync_to_async
def reconfigure(sim: HassSimulator, allowlist: str) -> None:
    configure(sim, allowlist=allowlist)
    Integration.objects.filter(integration_id="hass").update(config_version=2)


async def test_a_reconnecting_sync_leaves_the_peers_current_values(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    assert await value_of("light.porch") == "off"
    await reconfigure(sim, "sensor")
    report = await sync_to_async(run_sync)("hass")
    assert report.counts["detach"] > 0
    sim.set_state("light.porch", "on")  # changed while hi does not import lights
    live = await LiveHass(sim, heartbeat_interval=0.2).start()  # the worker restarts it on the new version
    try:
        await reconfigure(sim, "")
        report = await sync_to_async(run_sync)("hass")
        assert report.counts["reconnect"] > 0
        assert await value_of("light.porch") == "on"  # right after the sync, not at the next change
        await eventually(lambda: _history_ends_with("light.porch", "on"))  # the monitor listed it again
        sim.set_state("light.porch", "off")
        await eventually(lambda: _history_ends_with("light.porch", "off"))
        dry = await sync_to_async(run_sync)("hass", dry_run=True)
        assert dry.changed_nothing
    finally:
        await live.stop()


async def _history_ends_with(name: str, value: str) -> bool:
    rows = await history_of(name)
    return bool(rows) and rows[-1][1] == value
