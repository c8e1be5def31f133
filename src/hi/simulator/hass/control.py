"""The simulated Home Assistant's test control surface over HTTP: ``/_sim/hass/...``.

No auth (a loopback test surface, never part of HA's API). Each endpoint is the HTTP twin of a
method of the Python API (``set_state``, ``remove_entity``, ``revoke_token``, ``stall`` /
``release_stall``, and switching the WebSocket API off as a proxy that drops upgrades would).
"""

from __future__ import annotations

import functools
from typing import Any

from aiohttp import web

from .responses import json_response, read_body


def add_control_routes(app: web.Application, sim: Any) -> None:
    for method, path, handler in (("POST", "/_sim/hass/states/{entity_id}", set_state),
                                  ("DELETE", "/_sim/hass/states/{entity_id}", remove),
                                  ("POST", "/_sim/hass/revoke", revoke),
                                  ("POST", "/_sim/hass/stall", stall),
                                  ("POST", "/_sim/hass/websocket", websocket)):
        app.router.add_route(method, path, functools.partial(handler, sim))


async def set_state(sim: Any, request: web.Request) -> web.Response:
    body = await read_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("state"), str):
        return json_response({"error": "body must be {state, attributes?}"}, 400)
    new = sim.set_state(request.match_info["entity_id"], body["state"], body.get("attributes"),
                        merge=bool(body.get("merge", True)))
    return json_response({"changed": new is not None})


async def remove(sim: Any, request: web.Request) -> web.Response:
    return json_response({"removed": sim.remove_entity(request.match_info["entity_id"])})


async def revoke(sim: Any, request: web.Request) -> web.Response:
    body = await read_body(request)
    sim.revoke_token((body or {}).get("token") if isinstance(body, dict) else None)
    return json_response({"revoked": True})


async def websocket(sim: Any, request: web.Request) -> web.Response:
    body = await read_body(request)
    sim.websocket_available = bool(body.get("enabled", True)) if isinstance(body, dict) else True
    if not sim.websocket_available:
        await sim.close_all_websockets(abrupt=True)
    return json_response({"websocket": sim.websocket_available})


async def stall(sim: Any, request: web.Request) -> web.Response:
    body = await read_body(request)
    stalled = bool(body.get("enabled", True)) if isinstance(body, dict) else True
    if stalled:
        sim.stall()
    else:
        sim.release_stall()
    return json_response({"stalled": stalled})
