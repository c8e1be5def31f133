"""Run-time fault injection for simulators: switch a fault on from a test or ``POST /_sim/faults``.

Spec format — a JSON object mapping fault names to parameters (``{}`` or ``true`` for defaults;
``null``/``false`` clears that fault)::

    {"refuse": {}}                                   stop listening, abort open connections: connects are refused
    {"reset": {"after_bytes": 16}}                   send headers and part of the body, then reset the TCP connection
    {"stall": {"seconds": 5}}                        wait before answering (HTTP) / before each WebSocket message
    {"error_burst": {"status": 503, "count": 3}}     answer N requests with a 5xx
    {"rate_limit": {"retry_after": 2, "count": 1}}   429 with Retry-After (seconds; "http_date": true for a date;
                                                     "retry_after": null for none)
    {"unauthorized": {}}                             401 for every request (a revoked token); "count": 1 = one expiry
    {"non_json": {}}                                 200 with an HTML body instead of JSON
    {"truncated_json": {}}                           the real JSON cut in half
    {"schema_drift": {"rename": {"Id": "ID"}, "remove": ["Name"]}}   fields renamed/removed at any depth
    {"oversized": {"bytes": 20000000}}               a valid JSON body (or WebSocket message) of that size
    {"drop_connections": {}}                         one-shot: abort every open connection, WebSockets without
                                                     a close frame (a peer restart)
    {"clear": true} / {"clear": ["stall"]}           remove all / some faults

Every fault takes optional ``count`` (apply to that many requests/messages, then clear itself) and
``paths`` (list of path prefixes it applies to; default every path except ``/_sim/``).

From Python (a test, with the simulator running in a thread or on the same loop)::

    sim.faults.set("error_burst", status=503, count=3)
    sim.faults.set("refuse")          # actions needing the server run on the simulator's loop
    sim.faults.clear()                # or clear("refuse")

WebSocket simulators send through ``await sim.send_ws_json(ws, payload, path)`` (or call
``await faults.ws_outgoing(text, path)``): stall, non_json, truncated_json, schema_drift and oversized
apply to messages too; ``faults.auth_revoked`` tells an in-protocol auth handshake to refuse.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, Protocol

from aiohttp import web


class SimulatorBase(Protocol):
    """What faults need of the simulator they act on (``hi.simulator.base.SimulatorBase`` has all of it);
    a protocol here, so the simulator's base class and its faults do not import each other."""

    request_log: list[tuple[str, str]]

    def unauthorized_response(self, request: web.Request) -> web.StreamResponse: ...

    def apply_schema_drift(self, payload: Any, params: dict[str, Any]) -> Any: ...

    async def stop_listening(self) -> None: ...

    async def resume_listening(self) -> None: ...

    async def drop_connections(self) -> None: ...

FAULTS: dict[str, dict[str, Any]] = {
    "refuse": {},
    "reset": {"after_bytes": 16},
    "stall": {"seconds": 5.0},
    "error_burst": {"status": 503},
    "rate_limit": {"retry_after": 1},
    "unauthorized": {},
    "non_json": {},
    "truncated_json": {},
    "schema_drift": {"rename": {}, "remove": []},
    "oversized": {"bytes": 2 * 1024 * 1024},
    "drop_connections": {},
}
ACTIONS = frozenset({"drop_connections"})
CONTROL_PREFIX = "/_sim/"


def drift(payload: Any, rename: dict[str, str], remove: list[str] | tuple[str, ...]) -> Any:
    """Rename and remove dictionary keys at every depth: the generic form of an upstream schema change."""
    if isinstance(payload, dict):
        return {rename.get(key, key): drift(value, rename, remove)
                for key, value in payload.items() if key not in remove}
    if isinstance(payload, list):
        return [drift(item, rename, remove) for item in payload]
    return payload


def _oversized_json(size: int) -> bytes:
    padding = max(0, size - 15)
    return b'{"padding": "' + b"x" * padding + b'"}'


class FaultInjector:
    """Holds the active faults (thread-safe); its middleware applies them to HTTP requests."""

    def __init__(self, simulator: SimulatorBase | None = None) -> None:
        self.active: dict[str, dict[str, Any]] = {}
        self.simulator = simulator
        self.applied: dict[str, int] = {}
        self._lock = threading.Lock()

    # -- state ---------------------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {name: dict(params) for name, params in self.active.items()}

    @staticmethod
    def _normalise(name: str, params: Any) -> dict[str, Any]:
        if name not in FAULTS:
            raise ValueError(f"unknown fault {name!r}; known: {', '.join(sorted(FAULTS))}")
        if params is True:
            params = {}
        if not isinstance(params, dict):
            raise TypeError(f"parameters of {name!r} must be an object")
        merged = {**FAULTS[name], **params}
        count = merged.get("count")
        if count is not None and (not isinstance(count, int) or count < 1):
            raise ValueError(f"{name}.count must be a positive integer")
        paths = merged.get("paths")
        if paths is not None and (not isinstance(paths, list) or not all(isinstance(p, str) for p in paths)):
            raise ValueError(f"{name}.paths must be a list of path prefixes")
        return merged

    def set(self, name: str, **params: Any) -> None:
        """Switch a fault on from Python; server-side actions run on the simulator's loop."""
        normalised = self._normalise(name, params)
        if name in ACTIONS or name == "refuse":
            self._run_on_simulator(lambda: self._act(name, normalised))
            return
        with self._lock:
            self.active[name] = normalised

    def _forget(self, name: str | None) -> bool:
        """Drop one fault (or all); True when that ended a ``refuse``."""
        with self._lock:
            was_refusing = "refuse" in self.active and name in (None, "refuse")
            if name is None:
                self.active.clear()
            else:
                self.active.pop(name, None)
        return was_refusing

    def clear(self, name: str | None = None) -> None:
        """Remove one fault, or all; clearing ``refuse`` listens again (inside the simulator's
        own loop use ``await faults.apply({"clear": true}, sim)`` to wait for that)."""
        if self._forget(name) and self.simulator is not None:
            self._run_on_simulator(self.simulator.resume_listening)

    def _run_on_simulator(self, make: Callable[[], Awaitable[Any]]) -> None:
        sim = self.simulator
        loop = getattr(sim, "_loop", None)
        if sim is None or loop is None:
            raise RuntimeError("this fault needs a running simulator")
        coro = make()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.create_task(coro)  # type: ignore[arg-type]
        else:
            asyncio.run_coroutine_threadsafe(coro, loop).result(10)  # type: ignore[arg-type]

    async def _act(self, name: str, params: dict[str, Any]) -> None:
        sim = self.simulator
        if sim is None:
            raise RuntimeError("this fault needs a running simulator")
        if name == "drop_connections":
            await sim.drop_connections()
        elif name == "refuse":
            with self._lock:
                self.active["refuse"] = params
            await sim.stop_listening()

    async def apply(self, spec: dict[str, Any], simulator: SimulatorBase) -> None:
        """Apply a control-endpoint spec (see the module docstring); validates everything first."""
        if not isinstance(spec, dict):
            raise TypeError("faults must be a JSON object")
        self.simulator = self.simulator or simulator
        clear = spec.get("clear")
        plan: list[tuple[str, dict[str, Any] | None]] = []
        for name, params in spec.items():
            if name == "clear":
                continue
            plan.append((name, None if params in (None, False) else self._normalise(name, params)))
        if clear not in (None, False, True) and not isinstance(clear, list):
            raise TypeError("clear must be true or a list of fault names")
        names: list[str | None] = [None] if clear is True else [str(n) for n in clear or []]
        names += [name for name, params in plan if params is None]
        for name in names:
            if self._forget(name):
                await simulator.resume_listening()
        for name, params in plan:
            if params is None:
                continue
            elif name in ACTIONS or name == "refuse":
                await self._act(name, params)
            else:
                with self._lock:
                    self.active[name] = params

    def take(self, name: str, path: str = "") -> dict[str, Any] | None:
        """The fault's parameters if it applies to ``path`` now; consumes one from its ``count``."""
        with self._lock:
            params = self.active.get(name)
            if params is None:
                return None
            paths = params.get("paths")
            if paths and not any(path.startswith(prefix) for prefix in paths):
                return None
            count = params.get("count")
            if count is not None:
                if count <= 1:
                    del self.active[name]
                else:
                    params["count"] = count - 1
            self.applied[name] = self.applied.get(name, 0) + 1
            return params

    def is_active(self, name: str) -> bool:
        with self._lock:
            return name in self.active

    @property
    def auth_revoked(self) -> bool:
        """True while ``unauthorized`` is on: in-protocol auth handshakes should refuse."""
        return self.is_active("unauthorized")

    # -- WebSocket -----------------------------------------------------------------------------
    async def ws_outgoing(self, text: str, path: str = "") -> str | None:
        """Apply message faults to one outgoing WebSocket message; returns the text to send."""
        stall = self.take("stall", path)
        if stall is not None:
            await asyncio.sleep(float(stall["seconds"]))
        return self.ws_message_filter(text, path)

    def ws_message_filter(self, text: str, path: str = "") -> str:
        """The synchronous part of ``ws_outgoing``: content faults only."""
        oversized = self.take("oversized", path)
        if oversized is not None:
            return _oversized_json(int(oversized["bytes"])).decode()
        if self.take("non_json", path) is not None:
            return "<html><body>502 Bad Gateway</body></html>"
        drift_params = self.take("schema_drift", path)
        if drift_params is not None:
            with contextlib.suppress(ValueError):
                text = json.dumps(self._drift(json.loads(text), drift_params))
        if self.take("truncated_json", path) is not None:
            text = text[: max(1, len(text) // 2)]
        return text

    def _drift(self, payload: Any, params: dict[str, Any]) -> Any:
        if self.simulator is not None:
            return self.simulator.apply_schema_drift(payload, params)
        return drift(payload, params.get("rename") or {}, params.get("remove") or [])

    # -- HTTP ----------------------------------------------------------------------------------
    def middleware(self, simulator: SimulatorBase) -> Callable[..., Awaitable[web.StreamResponse]]:
        self.simulator = self.simulator or simulator

        @web.middleware
        async def inject(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                         ) -> web.StreamResponse:
            path = request.path
            if path.startswith(CONTROL_PREFIX):
                return await handler(request)
            simulator.request_log.append((request.method, request.path_qs))
            return await self._inject(request, handler, simulator, path)

        return inject

    async def _inject(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                      simulator: SimulatorBase, path: str) -> web.StreamResponse:
        if self.take("refuse", path) is not None and request.transport is not None:
            request.transport.abort()
            raise ConnectionResetError("refusing connections")
        stall = self.take("stall", path)
        if stall is not None:
            await asyncio.sleep(float(stall["seconds"]))
        if self.take("unauthorized", path) is not None:
            return simulator.unauthorized_response(request)
        limited = self.take("rate_limit", path)
        if limited is not None:
            headers = {}
            retry_after = limited.get("retry_after")
            if retry_after is not None:
                headers["Retry-After"] = (
                    format_datetime(datetime.now(UTC) + timedelta(seconds=float(retry_after)), usegmt=True)
                    if limited.get("http_date") else str(int(retry_after)))
            return web.json_response({"message": "Too Many Requests"}, status=429, headers=headers)
        burst = self.take("error_burst", path)
        if burst is not None:
            status = int(burst.get("status", 503))
            return web.json_response({"message": f"simulated error {status}"}, status=status)
        reset = self.take("reset", path)
        if reset is not None:
            return await self._reset_mid_response(request, int(reset.get("after_bytes", 16)))
        response = await handler(request)
        if not isinstance(response, web.Response) or isinstance(response, web.WebSocketResponse):
            return response
        return self._rewrite_body(response, path)

    async def _reset_mid_response(self, request: web.Request, after_bytes: int) -> web.StreamResponse:
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        response.content_length = after_bytes + 1024
        await response.prepare(request)
        await response.write(b'{"partial": "' + b"x" * max(0, after_bytes - 13))
        await asyncio.sleep(0)
        if request.transport is not None:
            request.transport.abort()
        return response

    def _rewrite_body(self, response: web.Response, path: str) -> web.Response:
        oversized = self.take("oversized", path)
        if oversized is not None:
            return web.Response(body=_oversized_json(int(oversized["bytes"])), status=response.status,
                                content_type="application/json")
        if self.take("non_json", path) is not None:
            return web.Response(text="<html><body><h1>502 Bad Gateway</h1></body></html>", status=response.status,
                                content_type="text/html")
        body = response.body if isinstance(response.body, bytes) else None
        if body is None:
            return response
        drift_params = self.take("schema_drift", path)
        if drift_params is not None:
            with contextlib.suppress(ValueError):
                body = json.dumps(self._drift(json.loads(body), drift_params)).encode()
            response = web.Response(body=body, status=response.status, content_type="application/json")
        if self.take("truncated_json", path) is not None:
            response = web.Response(body=body[: max(1, len(body) // 2)], status=response.status,
                                    content_type="application/json")
        return response
