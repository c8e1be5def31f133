"""The simulator speaks Home Assistant's REST and WebSocket protocols as PROTOCOLS.md describes them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from hi.simulator.hass import DEFAULT_TOKEN, HassSimulator

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


class Socket:
    """A raw WebSocket client for protocol checks (no reconnect logic in the way)."""

    def __init__(self, sim: HassSimulator) -> None:
        self.url = sim.url.replace("http://", "ws://") + "/api/websocket"
        self.conn: Any = None

    async def __aenter__(self) -> Socket:
        self.conn = await websockets.connect(self.url, max_size=None)
        return self

    async def __aexit__(self, *args: object) -> None:
        await self.conn.close()

    async def send(self, payload: dict[str, Any]) -> None:
        await self.conn.send(json.dumps(payload))

    async def recv(self) -> Any:
        return json.loads(await asyncio.wait_for(self.conn.recv(), 5))

    async def login(self, token: str = DEFAULT_TOKEN) -> dict[str, Any]:
        assert (await self.recv())["type"] == "auth_required"
        await self.send({"type": "auth", "access_token": token})
        return await self.recv()


async def test_rest_requires_a_bearer_token(sim: HassSimulator) -> None:
    async with httpx.AsyncClient(base_url=sim.url) as client:
        assert (await client.get("/api/")).status_code == 401
        assert (await client.get("/api/", headers={"Authorization": "Bearer nope"})).status_code == 401
        answer = await client.get("/api/", headers=AUTH)
    assert answer.json() == {"message": "API running."}


async def test_rest_states_config_and_services(sim: HassSimulator) -> None:
    async with httpx.AsyncClient(base_url=sim.url, headers=AUTH) as client:
        states = (await client.get("/api/states")).json()
        one = await client.get("/api/states/light.kitchen")
        missing = await client.get("/api/states/light.nowhere")
        config = (await client.get("/api/config")).json()
        services = (await client.get("/api/services")).json()
    assert 90 <= len(states) <= 110
    assert {"entity_id", "state", "attributes", "last_changed", "last_updated", "context"} <= set(states[0])
    assert one.json()["attributes"]["brightness"] == 180
    assert missing.status_code == 404 and missing.json() == {"message": "Entity not found."}
    assert config["unit_system"]["temperature"] == "°C" and config["version"]
    assert {"light", "cover", "climate", "lock"} <= {entry["domain"] for entry in services}


async def test_service_call_changes_state_and_returns_it(sim: HassSimulator) -> None:
    async with httpx.AsyncClient(base_url=sim.url, headers=AUTH) as client:
        dim = await client.post("/api/services/light/turn_on",
                                json={"entity_id": "light.hallway", "brightness_pct": 50})
        bad = await client.post("/api/services/light/turn_on",
                                json={"entity_id": "light.hallway", "brightness_pct": 150})
        unsupported = await client.post("/api/services/cover/set_cover_position",
                                        json={"entity_id": "cover.garage_door", "position": 10})
        unknown = await client.post("/api/services/light/explode", json={"entity_id": "light.hallway"})
    assert dim.status_code == 200
    assert [(s["entity_id"], s["state"], s["attributes"]["brightness"]) for s in dim.json()] == [
        ("light.hallway", "on", 128)]
    assert bad.status_code == 400 and "brightness_pct" in bad.json()["message"]
    assert unsupported.status_code == 400 and "does not support" in unsupported.json()["message"]
    assert unknown.status_code == 400 and unknown.json()["message"] == "Service light.explode not found."
    assert sim.state_of("light.hallway")["attributes"]["brightness"] == 128


async def test_websocket_auth_handshake(sim: HassSimulator) -> None:
    async with Socket(sim) as ws:
        assert (await ws.login())["type"] == "auth_ok"
    async with Socket(sim) as ws:
        assert (await ws.login("wrong"))["type"] == "auth_invalid"
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()


async def test_websocket_ids_must_increase(sim: HassSimulator) -> None:
    async with Socket(sim) as ws:
        await ws.login()
        await ws.send({"id": 5, "type": "ping"})
        assert await ws.recv() == {"id": 5, "type": "pong"}
        await ws.send({"id": 5, "type": "ping"})
        reused = await ws.recv()
        await ws.send({"id": 6, "type": "no_such_command"})
        unknown = await ws.recv()
    assert reused["success"] is False and reused["error"]["code"] == "id_reuse"
    assert unknown["error"]["code"] == "unknown_command"


async def test_state_changed_events_cover_changes_additions_and_removals(sim: HassSimulator) -> None:
    async with Socket(sim) as ws:
        await ws.login()
        await ws.send({"id": 1, "type": "subscribe_events", "event_type": "state_changed"})
        assert (await ws.recv())["success"] is True
        sim.set_state("switch.coffee_maker", "on")
        sim.add_entity("light.shed", "off", {"friendly_name": "Shed"})
        sim.remove_entity("light.porch")
        events = [(await ws.recv())["event"]["data"] for _ in range(3)]
    assert events[0]["entity_id"] == "switch.coffee_maker"
    assert (events[0]["old_state"]["state"], events[0]["new_state"]["state"]) == ("off", "on")
    assert events[1]["old_state"] is None and events[1]["new_state"]["entity_id"] == "light.shed"
    assert events[2]["new_state"] is None and events[2]["old_state"]["entity_id"] == "light.porch"


async def test_call_service_over_websocket_and_get_states(sim: HassSimulator) -> None:
    async with Socket(sim) as ws:
        await ws.login()
        await ws.send({"id": 1, "type": "call_service", "domain": "lock", "service": "unlock",
                       "target": {"entity_id": "lock.front_door"}})
        result = await ws.recv()
        await ws.send({"id": 2, "type": "call_service", "domain": "climate", "service": "set_hvac_mode",
                       "service_data": {"hvac_mode": "dry"}, "target": {"entity_id": "climate.thermostat"}})
        refused = await ws.recv()
        await ws.send({"id": 3, "type": "get_states"})
        states = await ws.recv()
    assert result["success"] and "id" in result["result"]["context"]
    assert refused["error"]["code"] == "service_validation_error"
    by_id = {s["entity_id"]: s for s in states["result"]}
    assert by_id["lock.front_door"]["state"] == "unlocked"


async def test_subscribe_entities_compact_form(sim: HassSimulator) -> None:
    async with Socket(sim) as ws:
        await ws.login()
        await ws.send({"id": 1, "type": "subscribe_entities", "entity_ids": ["light.kitchen"]})
        assert (await ws.recv())["success"]
        initial = (await ws.recv())["event"]
        sim.set_state("light.kitchen", "on", {"brightness": 10})
        changed = (await ws.recv())["event"]
    assert set(initial["a"]) == {"light.kitchen"} and initial["a"]["light.kitchen"]["s"] == "on"
    assert changed == {"c": {"light.kitchen": {"+": {"c": changed["c"]["light.kitchen"]["+"]["c"],
                                                     "lu": changed["c"]["light.kitchen"]["+"]["lu"],
                                                     "a": {"brightness": 10}}}}}


async def test_coalesced_messages_arrive_as_arrays(sim: HassSimulator) -> None:
    async with Socket(sim) as ws:
        await ws.login()
        await ws.send({"id": 1, "type": "supported_features", "features": {"coalesce_messages": 1}})
        await ws.recv()
        await ws.send({"id": 2, "type": "subscribe_events", "event_type": "state_changed"})
        await ws.recv()
        for value in ("1", "2", "3", "4"):
            sim.set_state("sensor.house_power", value)
        received: list[Any] = []
        while len(received) < 4:
            frame = await ws.recv()
            received.extend(frame if isinstance(frame, list) else [frame])
    assert [m["event"]["data"]["new_state"]["state"] for m in received] == ["1", "2", "3", "4"]


async def test_revoked_token_closes_sockets_and_refuses_new_ones(sim: HassSimulator) -> None:
    async with Socket(sim) as ws:
        await ws.login()
        sim.revoke_token()
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    async with Socket(sim) as ws:
        assert (await ws.login())["type"] == "auth_invalid"


def test_scale_profile_has_five_thousand_entities() -> None:
    sim = HassSimulator("scale")
    assert len(sim.store.states) == 5000
    assert len({eid.split(".")[0] for eid in sim.store.states}) >= 9


def test_control_endpoint_changes_state(threaded_sim: HassSimulator) -> None:
    answer = httpx.post(f"{threaded_sim.url}/_sim/hass/states/sensor.wind", json={"state": "9.9"})
    assert answer.json() == {"changed": True}
    assert threaded_sim.state_of("sensor.wind")["state"] == "9.9"
    assert threaded_sim.state_of("sensor.wind")["attributes"]["unit_of_measurement"] == "m/s"


async def test_the_demo_home_has_some_life_unless_told_otherwise() -> None:
    lively, quiet = HassSimulator(), HassSimulator(activity=False)
    assert lively.activity and not quiet.activity and not HassSimulator("scale").activity


def test_control_endpoints_remove_entities_and_revoke_tokens(threaded_sim: HassSimulator) -> None:
    removed = httpx.delete(f"{threaded_sim.url}/_sim/hass/states/light.porch")
    assert removed.json() == {"removed": True} and threaded_sim.state_of("light.porch") is None
    httpx.post(f"{threaded_sim.url}/_sim/hass/revoke", json={})
    assert httpx.get(f"{threaded_sim.url}/api/", headers=AUTH).status_code == 401
