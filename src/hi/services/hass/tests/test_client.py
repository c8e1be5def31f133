"""The typed client alone (no Django models) against the simulator over real sockets."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from hi.integrations import exceptions as exc
from hi.integrations.client import NO_RETRY
from hi.services.hass.client import (
    AsyncHassRestClient,
    HassWebSocket,
    StateChange,
    StatesResult,
    parse_states,
)
from hi.services.hass.client.onboarding import create_long_lived_token
from hi.simulator.hass import HassSimulator


class Recorder:
    """Collects what a HassWebSocket delivers and lets a test await it."""

    def __init__(self) -> None:
        self.changes: list[StateChange] = []
        self.snapshots: list[StatesResult] = []
        self.errors: list[exc.IntegrationError] = []
        self.event = asyncio.Event()

    async def on_change(self, change: StateChange) -> None:
        self.changes.append(change)
        self.event.set()

    async def on_snapshot(self, result: StatesResult) -> None:
        self.snapshots.append(result)
        self.event.set()

    async def on_error(self, error: exc.IntegrationError) -> None:
        self.errors.append(error)
        self.event.set()

    async def until(self, predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
        """Wait for ``predicate``: woken by every delivery, re-checked at least every 50 ms."""
        async def wait() -> None:
            while not predicate():
                self.event.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.event.wait(), 0.05)
        await asyncio.wait_for(wait(), timeout)

    def socket(self, sim: HassSimulator, **options: object) -> HassWebSocket:
        return HassWebSocket(sim.url, sim.token, on_change=self.on_change, on_snapshot=self.on_snapshot,
                             on_error=self.on_error, **options)  # type: ignore[arg-type]


async def test_rest_reads_states_and_config(sim: HassSimulator) -> None:
    client = AsyncHassRestClient(sim.url, sim.token)
    try:
        config = await client.config()
        result = await client.states()
    finally:
        await client.aclose()
    assert config.temperature_unit == "°C"
    assert result.skipped == 0 and any(s.entity_id == "light.kitchen" for s in result.states)


async def test_wrong_token_is_an_authentication_error(sim: HassSimulator) -> None:
    client = AsyncHassRestClient(sim.url, "not-the-token", retry=NO_RETRY)
    try:
        with pytest.raises(exc.AuthenticationError):
            await client.states()
    finally:
        await client.aclose()


def test_malformed_states_are_skipped_and_total_drift_is_an_error() -> None:
    good = {"entity_id": "light.a", "state": "on", "attributes": {}}
    result = parse_states([good, {"entity_id": "light.b", "value": "on"}, {"entity_id": "bad id", "state": "x"}])
    assert [s.entity_id for s in result.states] == ["light.a"] and result.skipped == 2
    with pytest.raises(exc.DataValidationError):
        parse_states([{"entity_id": "light.b", "value": "on"}])


async def test_websocket_snapshot_then_live_changes(sim: HassSimulator) -> None:
    rec = Recorder()
    ws = rec.socket(sim)
    await ws.start()
    try:
        await rec.until(lambda: rec.snapshots)
        sim.set_state("sensor.wind", "7.5")
        await rec.until(lambda: rec.changes)
        context = await ws.call_service("switch", "turn_on", entity_id="switch.coffee_maker")
        await rec.until(lambda: len(rec.changes) >= 2)
    finally:
        await ws.stop()
    assert len(rec.snapshots[0].states) == len(sim.store.states)
    assert rec.changes[0].new_state is not None and rec.changes[0].new_state.state == "7.5"
    assert rec.changes[1].entity_id == "switch.coffee_maker" and context is not None


async def test_service_refusal_carries_home_assistants_message(sim: HassSimulator) -> None:
    rec = Recorder()
    ws = rec.socket(sim)
    await ws.start()
    try:
        await ws.wait_connected(5)
        with pytest.raises(exc.RequestError, match="not valid"):
            await ws.call_service("climate", "set_hvac_mode", {"hvac_mode": "dry"}, "climate.thermostat")
    finally:
        await ws.stop()


async def test_reconnect_after_restart_refetches_all_states() -> None:
    sim = HassSimulator(activity=False)
    await sim.start()
    rec = Recorder()
    ws = rec.socket(sim, ping_interval=0.2, ping_timeout=0.5)
    await ws.start()
    try:
        await rec.until(lambda: rec.snapshots)
        await sim.stop_listening()  # sockets die without a close frame; the port refuses
        sim.set_state("lock.back_door", "locked")  # happens while we are disconnected
        await sim.resume_listening()
        await rec.until(lambda: len(rec.snapshots) >= 2, timeout=10)
    finally:
        await ws.stop()
        await sim.stop()
    latest = {s.entity_id: s.state for s in rec.snapshots[-1].states}
    assert latest["lock.back_door"] == "locked"


async def test_stalled_server_is_detected_by_ping_and_the_link_recovers(sim: HassSimulator) -> None:
    rec = Recorder()
    ws = rec.socket(sim, ping_interval=0.2, ping_timeout=0.3)
    await ws.start()
    try:
        await rec.until(lambda: rec.snapshots)
        sim.stall()
        await rec.until(lambda: ws.client.dead_links >= 1 or not ws.is_connected, timeout=5)
        sim.release_stall()
        await rec.until(lambda: len(rec.snapshots) >= 2, timeout=10)
    finally:
        await ws.stop()
    assert ws.client.dead_links >= 1


async def test_big_get_states_needs_the_raised_message_limit() -> None:
    sim = HassSimulator("scale")
    await sim.start()
    small, big = Recorder(), Recorder()
    too_small = small.socket(sim, max_size=2**20)  # the websockets default: get_states does not fit
    raised = big.socket(sim)
    await too_small.start()
    await raised.start()
    try:
        await big.until(lambda: big.snapshots, timeout=20)
        await asyncio.sleep(0)
        assert not small.snapshots
    finally:
        await too_small.stop()
        await raised.stop()
        await sim.stop()
    assert len(big.snapshots[0].states) == 5000


async def test_schema_drift_is_reported_not_crashing(sim: HassSimulator) -> None:
    rec = Recorder()
    ws = rec.socket(sim)
    await ws.start()
    try:
        await rec.until(lambda: rec.snapshots)
        sim.faults.set("schema_drift")
        sim.set_state("sensor.wind", "1.0")
        await rec.until(lambda: rec.errors)
        sim.faults.clear()
        sim.set_state("sensor.wind", "2.0")
        await rec.until(lambda: rec.changes)
    finally:
        await ws.stop()
    assert isinstance(rec.errors[0], exc.DataValidationError)
    assert [c.new_state.state for c in rec.changes if c.new_state] == ["2.0"]


async def test_oversized_message_drops_the_link_and_it_resyncs(sim: HassSimulator) -> None:
    rec = Recorder()
    ws = rec.socket(sim, max_size=4 * 2**20)
    await ws.start()
    try:
        await rec.until(lambda: rec.snapshots)
        sim.faults.set("oversized", bytes=8 * 2**20, count=1)
        sim.set_state("sensor.wind", "3.0")
        await rec.until(lambda: len(rec.snapshots) >= 2, timeout=10)
    finally:
        await ws.stop()
    assert {s.entity_id: s.state for s in rec.snapshots[-1].states}["sensor.wind"] == "3.0"


async def test_revoked_token_stops_reconnecting(sim: HassSimulator) -> None:
    failures: list[exc.AuthenticationError] = []
    rec = Recorder()
    ws = rec.socket(sim, on_auth_failed=failures.append)
    await ws.start()
    try:
        await rec.until(lambda: rec.snapshots)
        sim.revoke_token()
        await asyncio.wait_for(ws.client.wait_stopped(), 10)
    finally:
        await ws.stop()
    assert failures and ws.client.state.value in ("needs_credentials", "stopped")


async def test_onboarding_a_fresh_instance_yields_a_working_long_lived_token(sim: HassSimulator) -> None:
    token = await create_long_lived_token(sim.url)
    client = AsyncHassRestClient(sim.url, token)
    try:
        assert (await client.config()).version
    finally:
        await client.aclose()
    with pytest.raises(exc.RequestError, match="403"):
        await create_long_lived_token(sim.url)  # a second owner cannot be onboarded


async def test_history_replays_every_change_since_a_time_oldest_first(sim: HassSimulator) -> None:
    import datetime as dt

    from hi.services.hass.client import AsyncHassRestClient

    start = dt.datetime.fromisoformat(sim.set_state("light.porch", "on")["last_updated"])
    sim.set_state("light.porch", "off")
    sim.set_state("light.porch", "on", {"brightness": 10})
    sim.set_state("switch.coffee_maker", "on")
    client = AsyncHassRestClient(sim.url, sim.token, retry=NO_RETRY)
    try:
        states = await client.history(start, ["light.porch"])
        assert [(s.entity_id, s.state) for s in states] == [
            ("light.porch", "on"), ("light.porch", "off"), ("light.porch", "on")]  # the one at start, then later
        assert states[-1].attributes["brightness"] == 10
        with pytest.raises(exc.RequestError):
            await client.http.get_json("/api/history/period/" + start.isoformat())  # HA wants filter_entity_id
    finally:
        await client.aclose()
