"""A small generic simulator for testing the client layer and the fault harness themselves.

HTTP: ``GET /items``, ``GET /items/{id}``, ``POST /items``; ``POST /login`` (form ``user``/``pass`` →
``{access_token, expires_in, refresh_token}``), ``POST /refresh`` (form ``token``), ``GET /secure/items``
(``Authorization: Bearer`` or ``?token=``). WebSocket ``/ws`` speaks a Home-Assistant-like protocol:
``auth_required`` → ``auth`` → ``auth_ok``/``auth_invalid``; commands carry ``id`` and get
``result``; ``subscribe`` starts ``event`` delivery; ``ping`` → ``pong`` (unless ``ignore_pings``).
"""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from aiohttp import WSMsgType, web

from .base import SimulatorBase

WS_PATH = "/ws"


class GenericSimulator(SimulatorBase):
    name: ClassVar[str] = "generic"
    profiles: ClassVar[tuple[str, ...]] = ("demo",)

    def __init__(self, *args: Any, username: str = "admin", password: str = "hunter2-password",
                 token_lifetime: float = 3600.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.username = username
        self.password = password
        self.token_lifetime = token_lifetime
        self.tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.logins = 0
        self.ws_token = "ws-secret-token-123456"
        self.ignore_pings = False
        self.ws_connections = 0
        self.subscribers: set[web.WebSocketResponse] = set()
        self.subscription_ids: dict[int, Any] = {}
        self.posted: list[Any] = []
        self.reset_state()

    def reset_state(self) -> None:
        self.items = [{"Id": index, "Name": f"item {index}", "Value": index * 10} for index in range(1, 4)]
        self.posted = []

    def revoke_tokens(self) -> None:
        """Invalidate every issued access token (the server's side of a token expiring early)."""
        self.tokens.clear()

    def setup_routes(self, app: web.Application) -> None:
        app.router.add_get("/items", self._items)
        app.router.add_get("/items/{id}", self._item)
        app.router.add_post("/items", self._post_item)
        app.router.add_post("/login", self._login)
        app.router.add_post("/refresh", self._refresh)
        app.router.add_get("/secure/items", self._secure_items)
        app.router.add_get("/echo", self._echo)
        app.router.add_get(WS_PATH, self._websocket)

    async def _items(self, request: web.Request) -> web.Response:
        return web.json_response({"items": self.items})

    async def _item(self, request: web.Request) -> web.Response:
        wanted = request.match_info["id"]
        for item in self.items:
            if str(item["Id"]) == wanted:
                return web.json_response(item)
        return web.json_response({"message": "not found"}, status=404)

    async def _post_item(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.posted.append(body)
        return web.json_response({"created": True}, status=201)

    def _issue(self) -> dict[str, Any]:
        access, refresh = f"acc-{secrets.token_hex(8)}", f"ref-{secrets.token_hex(8)}"
        self.tokens.add(access)
        self.refresh_tokens.add(refresh)
        return {"access_token": access, "expires_in": self.token_lifetime, "refresh_token": refresh}

    async def _login(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("user") != self.username or form.get("pass") != self.password:
            return web.json_response({"message": "bad credentials"}, status=401)
        self.logins += 1
        return web.json_response(self._issue())

    async def _refresh(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("token") not in self.refresh_tokens:
            return web.json_response({"message": "bad refresh token"}, status=401)
        issued = self._issue()
        return web.json_response({"access_token": issued["access_token"], "expires_in": self.token_lifetime})

    async def _echo(self, request: web.Request) -> web.Response:
        return web.json_response({"headers": dict(request.headers), "query": dict(request.query)})

    async def _secure_items(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ") if header else request.query.get("token", "")
        if token not in self.tokens:
            return web.json_response({"message": "Expired token"}, status=401)
        return web.json_response({"items": self.items})

    # -- WebSocket -----------------------------------------------------------------------------
    async def push_event(self, data: Any) -> int:
        """Send an event to every subscribed socket; returns how many got it."""
        sent = 0
        for ws in list(self.subscribers):
            if not ws.closed:
                await self.send_ws_json(ws, {"id": self.subscription_ids.get(id(ws)), "type": "event", "event": data}, WS_PATH)
                sent += 1
        return sent

    async def _websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None, max_msg_size=64 * 2**20)
        await ws.prepare(request)
        self.websockets.add(ws)
        self.ws_connections += 1
        try:
            await self.send_ws_json(ws, {"type": "auth_required"}, WS_PATH)
            message = await ws.receive_json(timeout=10)
            if message.get("access_token") != self.ws_token or self.faults.auth_revoked:
                await ws.send_json({"type": "auth_invalid", "message": "Invalid access token"})
                await ws.close()
                return ws
            await ws.send_json({"type": "auth_ok"})
            async for frame in ws:
                if frame.type != WSMsgType.TEXT:
                    continue
                await self._command(ws, frame.json())
        except (TimeoutError, ValueError, ConnectionError):
            pass
        finally:
            self.websockets.discard(ws)
            self.subscribers.discard(ws)
        return ws

    async def _command(self, ws: web.WebSocketResponse, message: dict[str, Any]) -> None:
        kind, message_id = message.get("type"), message.get("id")
        if kind == "ping":
            if not self.ignore_pings:
                await self.send_ws_json(ws, {"id": message_id, "type": "pong"}, WS_PATH)
        elif kind == "subscribe":
            self.subscription_ids[id(ws)] = message_id
            self.subscribers.add(ws)
            await self.send_ws_json(ws, {"id": message_id, "type": "result", "success": True, "result": None},
                                    WS_PATH)
        elif kind == "get_items":
            await self.send_ws_json(ws, {"id": message_id, "type": "result", "success": True,
                                         "result": self.items}, WS_PATH)
        else:
            await ws.send_json({"id": message_id, "type": "result", "success": False,
                                "error": {"code": "unknown_command", "message": f"unknown {kind}"}})


SIMULATOR = GenericSimulator
