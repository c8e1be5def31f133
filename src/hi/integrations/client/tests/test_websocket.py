"""WebSocketClient against the generic simulator: reconnect + resync, dead links, auth, overflow, stop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import websockets

from hi.integrations import exceptions as exc
from hi.integrations.client import FakeClock, RetryPolicy, WebSocketClient, WsState
from hi.simulator.generic import WS_PATH, GenericSimulator


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll with a deadline, for conditions nothing can be awaited on (a peer's state)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)


class Recorder:
    """The integration side: hooks that record what the client did."""

    def __init__(self, sim: GenericSimulator, token: str | None = None) -> None:
        self.sim = sim
        self.token = token or sim.ws_token
        self.messages: list[Any] = []
        self.subscriptions: list[int] = []
        self.resyncs: list[int] = []
        self.auth_failures: list[exc.AuthenticationError] = []
        self.gate: asyncio.Event | None = None

    async def authenticate(self, ws: WebSocketClient) -> None:
        assert (await ws.recv_json())["type"] == "auth_required"
        await ws.send_json({"type": "auth", "access_token": self.token})
        answer = await ws.recv_json()
        if answer["type"] != "auth_ok":
            raise exc.AuthenticationError("token refused")

    async def subscribe(self, ws: WebSocketClient) -> None:
        answer = await ws.send_command({"type": "subscribe"})
        self.subscriptions.append(answer["id"])

    async def resync(self, ws: WebSocketClient) -> None:
        answer = await ws.send_command({"type": "get_items"})
        self.resyncs.append(len(answer["result"]))

    async def on_message(self, message: Any) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.messages.append(message)


def make_client(sim: GenericSimulator, recorder: Recorder, **options: Any) -> WebSocketClient:
    defaults: dict[str, Any] = {
        "integration_id": "ws-test", "on_message": recorder.on_message, "authenticate": recorder.authenticate,
        "on_connect": recorder.subscribe, "resync": recorder.resync, "on_auth_failed": recorder.auth_failures.append,
        "ping": lambda ws: ws.send_command({"type": "ping"}), "ping_interval": 5.0,
        "backoff": RetryPolicy(base_delay=0.01, max_delay=0.05), "clock": FakeClock(),
    }
    return WebSocketClient(sim.url.replace("http://", "ws://") + WS_PATH, **{**defaults, **options})


@pytest.fixture
async def recorder(asim: GenericSimulator) -> Recorder:
    return Recorder(asim)


@pytest.fixture
async def ws(asim: GenericSimulator, recorder: Recorder) -> AsyncIterator[WebSocketClient]:
    client = make_client(asim, recorder)
    await client.start()
    await client.wait_connected(5)
    yield client
    await client.stop()


async def test_connects_subscribes_and_resyncs(ws: WebSocketClient, recorder: Recorder) -> None:
    await eventually(lambda: recorder.resyncs == [3])
    assert recorder.subscriptions == [1] and ws.state is WsState.CONNECTED


async def test_messages_arrive_in_order(ws: WebSocketClient, recorder: Recorder, asim: GenericSimulator) -> None:
    for n in range(100):
        await asim.push_event({"n": n})
    await eventually(lambda: len(recorder.messages) == 100)
    assert [m["event"]["n"] for m in recorder.messages] == list(range(100))


async def test_abrupt_drop_reconnects_reauths_resubscribes_and_resyncs(
        ws: WebSocketClient, recorder: Recorder, asim: GenericSimulator) -> None:
    await eventually(lambda: len(recorder.resyncs) == 1)
    await asim.faults.apply({"drop_connections": {}}, asim)
    await eventually(lambda: ws.connections == 2 and len(recorder.resyncs) == 2)
    assert asim.ws_connections == 2
    assert recorder.subscriptions == [1, 1], "ids restart at 1 on a new connection"
    assert ws.metrics.snapshot()["reconnects"] == 1
    await asim.push_event({"after": True})
    await eventually(lambda: recorder.messages and recorder.messages[-1]["event"] == {"after": True})


async def test_half_dead_link_is_detected_within_two_ping_intervals(asim: GenericSimulator,
                                                                   recorder: Recorder) -> None:
    interval = 0.2
    client = make_client(asim, recorder, ping_interval=interval)
    await client.start()
    await client.wait_connected(5)
    asim.ignore_pings = True
    started = asyncio.get_running_loop().time()
    await eventually(lambda: client.dead_links == 1)
    detected = asyncio.get_running_loop().time() - started
    asim.ignore_pings = False
    await eventually(lambda: client.connections == 2)
    await client.stop()
    assert detected <= 2 * interval + 0.1


async def test_refused_auth_stops_reconnecting_and_reports(asim: GenericSimulator) -> None:
    recorder = Recorder(asim, token="wrong-token-value")
    client = make_client(asim, recorder)
    await client.start()
    await asyncio.wait_for(client.wait_stopped(), 5)
    assert client.state is WsState.NEEDS_CREDENTIALS
    assert len(recorder.auth_failures) == 1 and asim.ws_connections == 1
    assert "wrong-token-value" not in client.snapshot()["last_error"]
    await client.stop()


async def test_token_revoked_while_connected_needs_new_credentials(
        ws: WebSocketClient, recorder: Recorder, asim: GenericSimulator) -> None:
    asim.faults.set("unauthorized", paths=["/not-http"])  # in-protocol only: the handshake says auth_invalid
    await asim.faults.apply({"drop_connections": {}}, asim)
    await asyncio.wait_for(ws.wait_stopped(), 5)
    assert ws.state is WsState.NEEDS_CREDENTIALS and len(recorder.auth_failures) == 1


async def test_handshake_401_is_permanent(asim: GenericSimulator, recorder: Recorder) -> None:
    asim.faults.set("unauthorized")
    client = make_client(asim, recorder)
    await client.start()
    await asyncio.wait_for(client.wait_stopped(), 5)
    assert client.state is WsState.NEEDS_CREDENTIALS and asim.ws_connections == 0


async def test_overflow_drops_the_backlog_and_resyncs(asim: GenericSimulator, recorder: Recorder) -> None:
    client = make_client(asim, recorder, queue_size=5)
    await client.start()
    await client.wait_connected(5)
    await eventually(lambda: len(recorder.resyncs) == 1)
    recorder.gate = asyncio.Event()
    for n in range(30):
        await asim.push_event({"n": n})
    await eventually(lambda: client.overflows >= 1)
    recorder.gate.set()
    await eventually(lambda: len(recorder.resyncs) >= 2)
    assert len(recorder.messages) < 30, "the backlog was dropped, not grown"
    await client.stop()


async def test_non_json_message_is_skipped_and_the_link_kept(ws: WebSocketClient, recorder: Recorder,
                                                             asim: GenericSimulator) -> None:
    asim.faults.set("non_json", count=1, paths=[WS_PATH])
    await asim.push_event({"n": 1})
    await asim.push_event({"n": 2})
    await eventually(lambda: len(recorder.messages) == 1)
    assert recorder.messages[0]["event"] == {"n": 2}
    assert ws.skipped_messages == 1 and ws.connections == 1


async def test_truncated_json_message_is_skipped(ws: WebSocketClient, recorder: Recorder,
                                                 asim: GenericSimulator) -> None:
    asim.faults.set("truncated_json", count=1, paths=[WS_PATH])
    await asim.push_event({"n": 1})
    await asim.push_event({"n": 2})
    await eventually(lambda: len(recorder.messages) == 1)
    assert ws.skipped_messages == 1


async def test_oversized_message_reconnects_and_resyncs(asim: GenericSimulator, recorder: Recorder) -> None:
    client = make_client(asim, recorder, max_size=64 * 1024)
    await client.start()
    await client.wait_connected(5)
    await eventually(lambda: len(recorder.resyncs) == 1)  # the first connection's resync is answered
    asim.faults.set("oversized", bytes=200_000, count=1, paths=[WS_PATH])
    await asim.push_event({"n": 1})
    await eventually(lambda: client.connections == 2 and len(recorder.resyncs) == 2)
    await client.stop()


async def test_large_messages_within_max_size_arrive(asim: GenericSimulator, recorder: Recorder) -> None:
    client = make_client(asim, recorder, max_size=8 * 2**20)
    await client.start()
    await client.wait_connected(5)
    asim.faults.set("oversized", bytes=3 * 2**20, count=1, paths=[WS_PATH])
    await asim.push_event({"n": 1})
    await eventually(lambda: len(recorder.messages) == 1)
    assert len(recorder.messages[0]["padding"]) > 3_000_000 and client.connections == 1
    await client.stop()


async def test_refused_connections_are_retried_until_the_peer_listens(asim: GenericSimulator,
                                                                      recorder: Recorder) -> None:
    await asim.faults.apply({"refuse": {}}, asim)
    client = make_client(asim, recorder)
    await client.start()
    await eventually(lambda: client.state is WsState.BACKOFF and client.last_error != "")
    assert asim.ws_connections == 0
    await asim.faults.apply({"clear": ["refuse"]}, asim)
    await client.wait_connected(5)
    await eventually(lambda: len(recorder.resyncs) == 1)
    await client.stop()


async def test_command_without_answer_times_out(ws: WebSocketClient, asim: GenericSimulator) -> None:
    asim.ignore_pings = True
    with pytest.raises(exc.IntegrationTimeoutError):
        await ws.send_command({"type": "ping"}, timeout=0.05)


async def test_pending_command_fails_when_the_link_drops(ws: WebSocketClient, asim: GenericSimulator) -> None:
    asim.ignore_pings = True
    pending = asyncio.create_task(ws.send_command({"type": "ping"}, timeout=5))
    await eventually(lambda: bool(ws._pending))
    await asim.faults.apply({"drop_connections": {}}, asim)
    with pytest.raises(exc.IntegrationConnectionError) as raised:
        await pending
    assert type(raised.value) is exc.IntegrationConnectionError, "lost, not timed out"


async def test_stop_is_clean(ws: WebSocketClient, asim: GenericSimulator) -> None:
    await ws.stop()
    assert ws.state is WsState.STOPPED and not ws.is_connected
    await eventually(lambda: not asim.websockets)
    with pytest.raises(exc.IntegrationConnectionError):
        await ws.send_json({"type": "ping"})


@pytest.mark.parametrize("fault", [{"error_burst": {"status": 503, "count": 2, "paths": [WS_PATH]}},
                                   {"rate_limit": {"retry_after": 1, "count": 2, "paths": [WS_PATH]}},
                                   {"reset": {"count": 2, "paths": [WS_PATH]}}])
async def test_handshake_failures_are_transient_and_retried(asim: GenericSimulator, recorder: Recorder,
                                                            fault: dict[str, Any]) -> None:
    await asim.faults.apply(fault, asim)
    client = make_client(asim, recorder)
    await client.start()
    await client.wait_connected(5)
    await eventually(lambda: len(recorder.resyncs) == 1)
    assert client.connections == 1 and client.state is WsState.CONNECTED
    assert sum(asim.faults.applied.values()) == 2
    await client.stop()


async def test_stalled_pong_is_a_dead_link(asim: GenericSimulator, recorder: Recorder) -> None:
    client = make_client(asim, recorder, ping_interval=0.1)
    await client.start()
    await client.wait_connected(5)
    await eventually(lambda: len(recorder.resyncs) == 1)
    asim.faults.set("stall", seconds=1.0, count=1, paths=[WS_PATH])
    await eventually(lambda: client.dead_links == 1)
    await eventually(lambda: client.connections == 2 and len(recorder.resyncs) == 2)
    await client.stop()


async def test_schema_drift_reaches_the_handler_unchanged_in_order(
        ws: WebSocketClient, recorder: Recorder, asim: GenericSimulator) -> None:
    """The link stays up; validating drifted payloads is the integration's (typed) handler's job."""
    asim.faults.set("schema_drift", rename={"n": "number"}, count=1, paths=[WS_PATH])
    await asim.push_event({"n": 1})
    await asim.push_event({"n": 2})
    await eventually(lambda: len(recorder.messages) == 2)
    assert [m["event"] for m in recorder.messages] == [{"number": 1}, {"n": 2}]


async def test_no_secret_in_logs_when_auth_fails(asim: GenericSimulator, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from hi.utils.redaction import register_secret

    caplog.set_level(logging.DEBUG)
    secret = "leaky-token-do-not-log-123"
    register_secret(secret)
    recorder = Recorder(asim, token=secret)

    async def failing_auth(ws: WebSocketClient) -> None:
        await ws.recv_json()
        await ws.send_json({"type": "auth", "access_token": secret})
        raise exc.AuthenticationError(f"token {secret} refused")

    client = make_client(asim, recorder, authenticate=failing_auth)
    await client.start()
    await asyncio.wait_for(client.wait_stopped(), 5)
    assert client.state is WsState.NEEDS_CREDENTIALS
    assert secret not in caplog.text and secret not in str(client.snapshot())


async def test_async_auth_failed_callback_is_awaited(asim: GenericSimulator) -> None:
    recorder = Recorder(asim, token="wrong-token-value")
    called = asyncio.Event()

    async def on_auth_failed(error: exc.AuthenticationError) -> None:
        called.set()

    client = make_client(asim, recorder, on_auth_failed=on_auth_failed)
    await client.start()
    await asyncio.wait_for(called.wait(), 5)
    await client.stop()


async def test_reconnect_now_cuts_the_backoff_and_a_connect_closes_the_breaker() -> None:
    """A peer proven back by another call is reconnected at once, and REST calls resume with it."""
    from hi.integrations.client import get_breaker, reset_breakers

    reset_breakers()
    breaker = get_breaker("ws-now", failure_threshold=1, reset_timeout=3600)
    breaker.record_failure()
    server = await websockets.serve(lambda conn: conn.wait_closed(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # the port now refuses: the client backs off
    client = WebSocketClient(f"ws://127.0.0.1:{port}/", integration_id="ws-now", on_message=_ignore,
                             ping=None, backoff=RetryPolicy(base_delay=60, max_delay=60), rng=lambda a, b: b)
    await client.start()
    try:
        while client.state is not WsState.BACKOFF:
            await asyncio.sleep(0.01)
        server = await websockets.serve(lambda conn: conn.wait_closed(), "127.0.0.1", port)
        client.reconnect_now()
        await client.wait_connected(timeout=5)  # not the 60 s backoff
        assert breaker.state.value == "closed"
    finally:
        await client.stop()
        server.close()
        reset_breakers()


async def _ignore(message: object) -> None:
    return None
