"""A peer that restarts: hi reconnects within a couple of seconds and no change made after it is back
is lost — neither while hi is still reconnecting nor once it is subscribed again."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from asgiref.sync import sync_to_async

from hi.integrations.sync.engine import run_sync
from hi.services.hass.testing import configure, eventually
from hi.simulator.hass import HassSimulator
from hi.simulator.hass.websocket import HassConnection

from .conftest import LONG
from .harness import LiveHass, duplicate_history_rows, history_of

pytestmark = pytest.mark.django_db(transaction=True)


async def _imported(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")


@pytest.mark.parametrize("downtime", [1.0, 12.0] if LONG else [1.0])
async def test_changes_right_after_the_peer_returns_are_all_recorded(sim: HassSimulator,
                                                                     downtime: float) -> None:
    await _imported(sim)
    live = await LiveHass(sim).start()
    try:
        await sim.stop_listening()  # sockets die without a close frame, the port refuses
        await asyncio.sleep(downtime)    # the outage itself: nothing to wait for but time
        await sim.resume_listening()
        back = time.monotonic()
        made: list[tuple[dt.datetime, str]] = []
        for step in range(16):           # toggling from the moment the peer answers, like the run
            state = sim.set_state("light.porch", "on" if step % 2 == 0 else "off")
            assert state is not None
            made.append((dt.datetime.fromisoformat(state["last_updated"]), state["state"]))
            await asyncio.sleep(0.1)
        await eventually(lambda: live.monitor.mode == "websocket" and live.monitor._synced)
        reconnected_in = time.monotonic() - back
        await eventually(lambda: _history_has(made))
        assert await duplicate_history_rows() == 0
        assert reconnected_in < 4.0  # the bench measures it; this only catches a regression to backoff
    finally:
        await live.stop()


async def test_a_change_arriving_before_the_listing_does_not_hide_those_made_while_away(
        sim: HassSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    """Home Assistant can send a change right behind its answer to the subscription, before hi has listed the
    states. Recorded at once, it made that change the newest one known, so the listing saw nothing to replay
    and the changes made during the outage were lost (seen in CI under load)."""
    await _imported(sim)
    live = await LiveHass(sim).start()
    made: list[tuple[dt.datetime, str]] = []

    def toggle() -> None:
        state = sim.set_state("light.porch", "on" if len(made) % 2 == 0 else "off")
        assert state is not None
        made.append((dt.datetime.fromisoformat(state["last_updated"]), state["state"]))

    subscribe = HassConnection._cmd_subscribe_events

    def subscribe_then_change(connection: HassConnection, msg_id: int, message: dict) -> None:
        subscribe(connection, msg_id, message)
        if message.get("event_type") in (None, "state_changed"):
            toggle()  # the event follows the subscription's answer in the same write

    try:
        await sim.stop_listening()
        for _ in range(5):  # the last of these is "on"; the one fired on subscribing is "off" again
            toggle()
        monkeypatch.setattr(HassConnection, "_cmd_subscribe_events", subscribe_then_change)
        await sim.resume_listening()
        await eventually(lambda: live.monitor.mode == "websocket" and live.monitor._synced)
        await eventually(lambda: _history_has(made))
        assert len(made) == 6 and live.monitor.replayed >= 5
        assert await duplicate_history_rows() == 0
    finally:
        await live.stop()


async def _history_has(made: list[tuple[dt.datetime, str]]) -> bool:
    recorded = set(await history_of("light.porch"))
    return all(change in recorded for change in made)


async def test_an_outage_is_reported_within_one_cycle_with_its_cause(sim: HassSimulator) -> None:
    from hi.integrations.health import health_snapshot

    await _imported(sim)
    live = await LiveHass(sim).start()
    try:
        await sim.stop_listening()
        snapshot = await eventually(lambda: _unhealthy(health_snapshot))
        assert "connection lost" in snapshot["message"]
        await sim.resume_listening()
        await eventually(lambda: _healthy(health_snapshot))
    finally:
        await live.stop()


async def _unhealthy(health_snapshot) -> dict | None:
    snapshot = await sync_to_async(health_snapshot)("hass")
    return snapshot if snapshot["health_status"] in ("warning", "error") else None


async def _healthy(health_snapshot) -> bool:
    return (await sync_to_async(health_snapshot)("hass"))["health_status"] == "healthy"
