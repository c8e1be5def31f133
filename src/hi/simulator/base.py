"""The simulator base: an aiohttp server on a real loopback socket, runnable from tests or ``hi simulate``.

aiohttp is used because it serves HTTP and WebSocket on one port and exposes the transport,
which the fault injector needs to reset or drop connections mid-stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

from aiohttp import web

from .faults import FaultInjector, drift


class SimulatorBase:
    """Subclasses add their protocol's routes in ``setup_routes`` and keep their state on ``self``.

    Run it inside an event loop with ``await sim.start()`` / ``await sim.stop()``, or from
    synchronous code with ``with sim.running_in_thread(): ...``. ``sim.url`` is the base URL.
    """

    name: ClassVar[str] = "simulator"
    profiles: ClassVar[tuple[str, ...]] = ("demo",)

    def __init__(self, profile: str = "demo", host: str = "127.0.0.1", port: int = 0) -> None:
        if profile not in self.profiles:
            raise ValueError(f"unknown profile {profile!r} for {self.name}; choose from {', '.join(self.profiles)}")
        self.profile = profile
        self.host = host
        self.port = port
        self.faults = FaultInjector(self)
        self.request_log: list[tuple[str, str]] = []
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.websockets: set[web.WebSocketResponse] = set()

    # -- to override ---------------------------------------------------------------------------
    def setup_routes(self, app: web.Application) -> None:
        """Add the protocol's routes."""

    def reset_state(self) -> None:
        """Restore the profile's initial data (called by the control endpoint's reset)."""

    def unauthorized_response(self, request: web.Request) -> web.StreamResponse:
        """What the ``unauthorized`` fault answers; override to match the protocol's error body."""
        return web.json_response({"message": "Unauthorized"}, status=401)

    def apply_schema_drift(self, payload: Any, params: dict[str, Any]) -> Any:
        """How ``schema_drift`` changes a JSON payload; override for protocol-specific drift."""
        return drift(payload, params.get("rename") or {}, params.get("remove") or [])

    async def send_ws_json(self, ws: web.WebSocketResponse, payload: Any, path: str = "") -> None:
        """Send one WebSocket message through the fault injector (stall, drift, non-JSON, oversize)."""
        text = await self.faults.ws_outgoing(json.dumps(payload), path)
        if text is not None and not ws.closed:
            await ws.send_str(text)

    # -- lifecycle -----------------------------------------------------------------------------
    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self.faults.middleware(self)], client_max_size=8 * 1024 * 1024)
        app.router.add_get("/_sim/faults", self._get_faults)
        app.router.add_post("/_sim/faults", self._set_faults)
        app.router.add_post("/_sim/reset", self._reset)
        self.setup_routes(app)
        return app

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        # A short shutdown timeout: handlers held by a ``stall`` fault must not keep ``stop()`` waiting.
        self._runner = web.AppRunner(self.build_app(), access_log=None, handle_signals=False,
                                     shutdown_timeout=0.5)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await self._site.start()
        sockets = self._site._server.sockets if self._site._server else []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self.close_all_websockets()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def stop_listening(self) -> None:
        """Close the listening socket and every open connection: new connects are refused."""
        if self._site is not None:
            await self._site.stop()
            self._site = None
        await self.drop_connections()

    async def resume_listening(self) -> None:
        """Listen again on the same port after ``stop_listening``."""
        if self._site is None and self._runner is not None:
            self._site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
            await self._site.start()

    async def drop_connections(self) -> None:
        """Abort every open HTTP connection and WebSocket without a close frame (a peer restart)."""
        await self.close_all_websockets(abrupt=True)
        server = self._runner.server if self._runner is not None else None
        for transport in list(getattr(server, "_connections", {}).values()):
            transport.abort()

    async def close_all_websockets(self, abrupt: bool = False) -> None:
        """Close every open WebSocket; ``abrupt`` drops the TCP connection without a close frame."""
        for ws in list(self.websockets):
            if abrupt:
                transport = ws._req.transport if ws._req is not None else None
                if transport is not None:
                    transport.abort()
            else:
                with contextlib.suppress(Exception):
                    await ws.close()
        self.websockets.clear()

    def run_coroutine(self, coro: Any, timeout: float = 10.0) -> Any:
        """Run a coroutine on the simulator's loop from another thread and wait for its result."""
        if self._loop is None:
            raise RuntimeError("simulator is not running")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    @contextlib.contextmanager
    def running_in_thread(self) -> Iterator[SimulatorBase]:
        """Run the server on its own loop in a daemon thread for the duration of the block."""
        started = threading.Event()
        stop_holder: dict[str, Any] = {}
        errors: list[BaseException] = []

        def target() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            stop = asyncio.Event()
            stop_holder["event"] = stop
            stop_holder["loop"] = loop

            async def main() -> None:
                try:
                    await self.start()
                except BaseException as exc:
                    errors.append(exc)
                    started.set()
                    return
                started.set()
                await stop.wait()
                await self.stop()

            loop.run_until_complete(main())
            loop.close()

        thread = threading.Thread(target=target, name=f"sim-{self.name}", daemon=True)
        thread.start()
        if not started.wait(15):
            raise RuntimeError(f"{self.name} simulator did not start")
        if errors:
            raise errors[0]
        try:
            yield self
        finally:
            stop_holder["loop"].call_soon_threadsafe(stop_holder["event"].set)
            thread.join(15)

    def serve_until_interrupted(self) -> None:
        """Serve in this process and print the URL on the first line (for ``python -m hi.simulator.<name>``).

        Benchmarks start simulators this way so serving does not share the measured interpreter."""

        async def serve() -> None:
            await self.start()
            print(self.url, flush=True)
            try:
                await asyncio.Event().wait()
            finally:
                await self.stop()

        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve())

    # -- control endpoint ----------------------------------------------------------------------
    async def _get_faults(self, request: web.Request) -> web.Response:
        return web.json_response(self.faults.describe())

    async def _set_faults(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"error": "body must be JSON"}, status=400)
        try:
            await self.faults.apply(body, self)
        except (TypeError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(self.faults.describe())

    async def _reset(self, request: web.Request) -> web.Response:
        await self.faults.apply({"clear": True}, self)
        self.reset_state()
        return web.json_response({"reset": True})
