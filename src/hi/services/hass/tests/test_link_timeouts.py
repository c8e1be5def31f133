"""The live link honours HI_HTTP_CONNECT_TIMEOUT / HI_HTTP_READ_TIMEOUT: a stalled Home Assistant (the
simulator's ``stall``, or its fault injector holding the upgrade) is given up on within the configured
time, not the 10 s the link once fixed, and the reason says how long it waited."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from hi.integrations.client import RetryPolicy, Timeouts, WsState
from hi.integrations.health import health_snapshot
from hi.integrations.sync.engine import run_sync
from hi.services.hass.client import HassWebSocket, StateChange, StatesResult
from hi.services.hass.client.websocket import LISTING_SECONDS, link_waits
from hi.services.hass.testing import configure, eventually
from hi.services.hass.tests.test_monitor import Live
from hi.simulator.hass import HassSimulator

SHORT = Timeouts(connect=0.2, read=0.3)
SLOW_RETRY = RetryPolicy(base_delay=30, max_delay=30)  # one attempt per test: the first failure is the one read


def test_the_links_waits_come_from_the_configured_timeouts() -> None:
    assert link_waits(Timeouts(connect=5, read=30), 20) == {
        "open_timeout": 35, "auth_timeout": 30, "command_timeout": 30, "ping_timeout": 10}  # half the interval
    assert link_waits(SHORT, 20)["ping_timeout"] == 0.3  # a short read timeout is honoured as it is
    socket = HassWebSocket("http://127.0.0.1:9", "t", on_change=_ignore, on_snapshot=_ignore,
                           timeouts=Timeouts(connect=1, read=90))
    assert (socket.client.open_timeout, socket.client.auth_timeout, socket.client.command_timeout,
            socket.client.ping_timeout, socket.listing_timeout) == (91, 90, 90, 10, 90)
    assert HassWebSocket("http://127.0.0.1:9", "t", on_change=_ignore, on_snapshot=_ignore,
                         timeouts=SHORT).listing_timeout == LISTING_SECONDS  # a whole listing is one message


async def _ignore(_: StateChange | StatesResult) -> None:
    return None


async def first_failure(sim: HassSimulator, timeouts: Timeouts) -> tuple[str, float]:
    """Start a link with ``timeouts`` and return its first failure's reason and how long it took."""
    failed = asyncio.Event()

    def on_state(state: WsState, detail: str) -> None:
        if state == WsState.BACKOFF:
            failed.set()

    socket = HassWebSocket(sim.url, sim.token, on_change=_ignore, on_snapshot=_ignore, on_state_change=on_state,
                           timeouts=timeouts, ping_interval=20, backoff=SLOW_RETRY)
    started = time.monotonic()
    await socket.start()
    try:
        async with asyncio.timeout(8):
            await failed.wait()
        return socket.last_error, time.monotonic() - started
    finally:
        await socket.stop()


async def test_a_server_that_never_greets_fails_the_handshake_within_the_read_timeout(sim: HassSimulator) -> None:
    sim.stall()
    reason, waited = await first_failure(sim, SHORT)
    assert reason == "IntegrationTimeoutError: no answer to the authentication handshake within 0.3 s"
    assert waited < 2.0  # 0.3 s configured, and no 2 s close handshake with a peer that answers nothing


async def test_a_server_that_holds_the_upgrade_fails_within_connect_plus_read(sim: HassSimulator) -> None:
    sim.faults.set("stall", seconds=8, count=1, paths=["/api/websocket"])
    reason, waited = await first_failure(sim, SHORT)
    assert reason.startswith("TimeoutError") and "opening handshake" in reason, reason
    assert waited < 5  # 0.5 s configured (connect + read); the link used to wait a fixed 10 s


@pytest.mark.django_db(transaction=True)
async def test_a_stalled_home_assistant_drops_the_monitors_link_within_the_read_timeout(sim: HassSimulator,
                                                                                       settings: Any) -> None:
    settings.HI_HTTP_CONNECT_TIMEOUT, settings.HI_HTTP_READ_TIMEOUT = 0.2, 0.3
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    live = await Live(sim, ping_interval=1.0).start()  # no ping_timeout given: it comes from the settings
    try:
        sim.stall()
        started = time.monotonic()
        snapshot = await eventually(lambda: _reported("within 0.3 s"), timeout=8)
        assert time.monotonic() - started < 5  # a ping interval (1 s) and 0.3 s; it used to be 1 s and 10 s
        # the dropped ping, or (when health is read a moment later) the reconnect's unanswered greeting
        assert ("stopped answering pings (none within 0.3 s)" in snapshot["message"]
                or "authentication handshake within 0.3 s" in snapshot["message"]), snapshot["message"]
    finally:
        sim.release_stall()
        await live.stop()


async def _reported(words: str) -> dict[str, Any] | None:
    snapshot = await sync_to_async(health_snapshot)("hass")
    return snapshot if words in (snapshot.get("message") or "") else None
