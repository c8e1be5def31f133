"""The fault injector: its spec format, the control endpoint, and each fault as seen on the wire."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError

from hi.simulator.faults import FaultInjector, drift
from hi.simulator.generic import WS_PATH, GenericSimulator


@pytest.fixture
def http(sim: GenericSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.url, timeout=2.0) as client:
        yield client


def control(http: httpx.Client, spec: object) -> httpx.Response:
    return http.post("/_sim/faults", json=spec)


def test_control_endpoint_sets_describes_and_clears(http: httpx.Client) -> None:
    answer = control(http, {"error_burst": {"status": 502, "count": 2}, "stall": {"seconds": 0.01}})
    assert answer.status_code == 200
    assert answer.json()["error_burst"] == {"status": 502, "count": 2}
    assert http.get("/_sim/faults").json().keys() == {"error_burst", "stall"}
    assert control(http, {"clear": ["stall"]}).json().keys() == {"error_burst"}
    assert control(http, {"error_burst": None}).json() == {}


@pytest.mark.parametrize("spec", [{"no_such_fault": {}}, {"stall": 5}, {"error_burst": {"count": 0}},
                                  {"stall": {"paths": "/x"}}, ["stall"], {"clear": "yes"}])
def test_control_endpoint_rejects_bad_specs_and_changes_nothing(http: httpx.Client, spec: object) -> None:
    control(http, {"stall": {"seconds": 0.01}})
    answer = control(http, spec)
    assert answer.status_code == 400 and "error" in answer.json()
    assert http.get("/_sim/faults").json() == {"stall": {"seconds": 0.01}}


def test_control_body_must_be_json(http: httpx.Client) -> None:
    assert http.post("/_sim/faults", content=b"nope").status_code == 400


def test_burst_counts_down_and_clears_itself(sim: GenericSimulator, http: httpx.Client) -> None:
    sim.faults.set("error_burst", status=503, count=2)
    assert [http.get("/items").status_code for _ in range(3)] == [503, 503, 200]
    assert not sim.faults.is_active("error_burst") and sim.faults.applied["error_burst"] == 2


def test_paths_limit_where_a_fault_applies(sim: GenericSimulator, http: httpx.Client) -> None:
    sim.faults.set("unauthorized", paths=["/secure"])
    assert http.get("/items").status_code == 200
    assert http.get("/secure/items").status_code == 401


def test_control_paths_are_never_faulted(sim: GenericSimulator, http: httpx.Client) -> None:
    sim.faults.set("error_burst", status=500)
    assert http.get("/_sim/faults").status_code == 200
    assert http.post("/_sim/reset").json() == {"reset": True}
    assert http.get("/items").status_code == 200, "reset clears the faults"


def test_rate_limit_sends_retry_after(sim: GenericSimulator, http: httpx.Client) -> None:
    sim.faults.set("rate_limit", retry_after=7, count=1)
    answer = http.get("/items")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "7"
    sim.faults.set("rate_limit", retry_after=7, http_date=True, count=1)
    assert "GMT" in http.get("/items").headers["Retry-After"]


def test_body_faults(sim: GenericSimulator, http: httpx.Client) -> None:
    sim.faults.set("non_json", count=1)
    assert http.get("/items").text.startswith("<html>")
    sim.faults.set("truncated_json", count=1)
    with pytest.raises(json.JSONDecodeError):
        json.loads(http.get("/items").content)
    sim.faults.set("schema_drift", rename={"Id": "ID"}, remove=["Value"], count=1)
    assert http.get("/items").json()["items"][0] == {"ID": 1, "Name": "item 1"}
    sim.faults.set("oversized", bytes=100_000, count=1)
    assert len(http.get("/items").content) >= 100_000


def test_reset_mid_response_breaks_the_body(sim: GenericSimulator, http: httpx.Client) -> None:
    sim.faults.set("reset", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/items")
    assert http.get("/items").status_code == 200


def test_stall_delays_the_answer(sim: GenericSimulator, http: httpx.Client) -> None:
    sim.faults.set("stall", seconds=1.0, count=1)
    with pytest.raises(httpx.ReadTimeout):
        http.get("/items", timeout=0.1)


def test_refuse_stops_listening_until_cleared(sim: GenericSimulator) -> None:
    sim.faults.set("refuse")
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{sim.url}/items", timeout=1)
    sim.faults.clear("refuse")
    assert httpx.get(f"{sim.url}/items", timeout=1).status_code == 200


def test_refuse_also_cuts_kept_alive_connections(sim: GenericSimulator, http: httpx.Client) -> None:
    assert http.get("/items").status_code == 200
    sim.faults.set("refuse")
    with pytest.raises((httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError)):
        http.get("/items")
    sim.faults.clear()
    assert http.get("/items").status_code == 200


async def test_drop_connections_aborts_websockets_without_close_frame() -> None:
    sim = GenericSimulator()
    await sim.start()
    try:
        async with connect(sim.url.replace("http", "ws") + WS_PATH, ping_interval=None) as ws:
            await ws.recv()
            await sim.faults.apply({"drop_connections": True}, sim)
            with pytest.raises(ConnectionClosedError) as raised:
                await asyncio.wait_for(ws.recv(), 2)
            assert raised.value.rcvd is None, "no close frame, as in a crash"
        assert "drop_connections" not in sim.faults.describe(), "an action, not a standing fault"
    finally:
        await sim.stop()


async def test_websocket_messages_go_through_the_faults() -> None:
    faults = FaultInjector()
    faults.set("schema_drift", rename={"a": "b"}, count=1)
    assert json.loads(faults.ws_message_filter('{"a": 1}')) == {"b": 1}
    faults.set("truncated_json", count=1, paths=[WS_PATH])
    assert faults.ws_message_filter('{"a": 1}', "/other") == '{"a": 1}'
    assert faults.ws_message_filter('{"a": 1}', WS_PATH) == '{"a"'
    faults.set("stall", seconds=0.01, count=1)
    assert await faults.ws_outgoing('{"x": 1}') == '{"x": 1}'
    assert faults.applied["stall"] == 1


def test_drift_renames_and_removes_at_any_depth() -> None:
    payload = {"monitors": [{"Monitor": {"Id": "1", "Name": "a"}}]}
    assert drift(payload, {"Id": "MonitorId"}, ["Name"]) == {"monitors": [{"Monitor": {"MonitorId": "1"}}]}


def test_auth_revoked_follows_the_unauthorized_fault() -> None:
    faults = FaultInjector()
    assert not faults.auth_revoked
    faults.set("unauthorized")
    assert faults.auth_revoked
    faults.clear()
    assert not faults.auth_revoked


def test_server_actions_need_a_running_simulator() -> None:
    with pytest.raises(RuntimeError):
        FaultInjector().set("drop_connections")



async def test_stop_does_not_wait_for_stalled_handlers() -> None:
    sim = GenericSimulator()
    await sim.start()
    sim.faults.set("stall", seconds=30)
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get(f"{sim.url}/items", timeout=0.1)
    started = asyncio.get_running_loop().time()
    await sim.stop()
    assert asyncio.get_running_loop().time() - started < 5
