"""A long-lived WebSocket that stays up by itself: reconnect with backoff, re-auth, re-subscribe, resync.

Usage (Home Assistant style)::

    async def authenticate(ws: WebSocketClient) -> None:      # runs on every (re)connect
        await ws.recv_json()                                   # {"type": "auth_required"}
        await ws.send_json({"type": "auth", "access_token": token})
        if (await ws.recv_json())["type"] != "auth_ok":
            raise AuthenticationError("token refused")         # permanent: stops reconnecting

    async def subscribe(ws: WebSocketClient) -> None:
        await ws.send_command({"type": "subscribe_events", "event_type": "state_changed"})

    client = WebSocketClient(url, integration_id="hass", on_message=handle, authenticate=authenticate,
                             on_connect=subscribe, resync=refetch_all_states,
                             ping=lambda ws: ws.send_command({"type": "ping"}), ping_interval=20,
                             on_auth_failed=mark_needs_credentials, max_size=64 * 2**20)
    await client.start(); ...; await client.stop()

Messages (JSON; a JSON array is split into its elements) reach ``on_message`` one at a time, in
order, through a bounded queue. On overflow the backlog is dropped and ``resync`` runs instead,
so state is never silently stale. A message whose ``id`` matches a pending ``send_command`` and
whose ``type`` is one of ``response_types`` resolves that command instead of reaching the handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import inspect
import itertools
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from hi.integrations import exceptions as exc
from hi.utils.clock import SYSTEM_CLOCK, Clock
from hi.utils.redaction import redact

from .breaker import get_breaker
from .http import user_agent
from .metrics import ClientMetrics, get_metrics
from .retry import RetryPolicy

logger = logging.getLogger("hi.integrations.client.websocket")
# A peer that comes back must be noticed within a couple of seconds; a refused or failed connect to a
# peer that is down costs almost nothing, so the reconnect delay stays short however long the outage.
RECONNECT_POLICY = RetryPolicy(base_delay=0.25, max_delay=1.5)
Hook = Callable[["WebSocketClient"], Awaitable[Any]]
_RESYNC = object()


class WsState(enum.StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    BACKOFF = "backoff"
    NEEDS_CREDENTIALS = "needs_credentials"
    STOPPED = "stopped"


async def protocol_ping(ws: WebSocketClient) -> None:
    """Default liveness check: a WebSocket protocol ping, answered by the peer's library."""
    conn = ws.connection
    if conn is None:
        raise exc.IntegrationConnectionError("not connected")
    await (await conn.ping())


class WebSocketClient:
    """See the module docstring. All hooks are coroutines taking the client."""

    def __init__(self, url: str, *, integration_id: str, on_message: Callable[[Any], Awaitable[None]],
                 authenticate: Hook | None = None, on_connect: Hook | None = None, resync: Hook | None = None,
                 on_auth_failed: Callable[[exc.AuthenticationError], Any] | None = None,
                 on_state_change: Callable[[WsState, str], Any] | None = None,
                 ping: Hook | None = protocol_ping, ping_interval: float | None = 20.0,
                 ping_timeout: float | None = None, max_size: int | None = 16 * 2**20, queue_size: int = 4096,
                 backoff: RetryPolicy | None = None, open_timeout: float = 10.0, auth_timeout: float = 10.0,
                 command_timeout: float = 10.0, headers: Mapping[str, str] | None = None,
                 contact: str | None = None, response_types: tuple[str, ...] = ("result", "pong"),
                 split_arrays: bool = True, metrics: ClientMetrics | None = None, clock: Clock = SYSTEM_CLOCK,
                 rng: Callable[[float, float], float] = random.uniform) -> None:
        self.url = url
        self.integration_id = integration_id
        self.on_message = on_message
        self.authenticate = authenticate
        self.on_connect = on_connect
        self.resync = resync
        self.on_auth_failed = on_auth_failed
        self.on_state_change = on_state_change
        self.ping = ping
        self.ping_interval = ping_interval
        # Half the interval by default: a dead link is then noticed within 1.5 intervals, well
        # inside the 2-interval target even when the loop is busy.
        self.ping_timeout = ping_timeout if ping_timeout is not None else (ping_interval or 0) / 2 or None
        self.max_size = max_size
        self.queue_size = queue_size
        self.backoff = backoff or RECONNECT_POLICY
        self.open_timeout = open_timeout
        self.auth_timeout = auth_timeout
        self.command_timeout = command_timeout
        self.headers = dict(headers or {})
        self.user_agent = user_agent(contact)
        self.response_types = response_types
        self.split_arrays = split_arrays
        self.metrics = metrics or get_metrics(integration_id)
        self.clock = clock
        self.rng = rng
        self.state = WsState.IDLE
        self.last_error = ""
        self.connections = 0
        self.resyncs = 0
        self.overflows = 0
        self.dead_links = 0
        self.skipped_messages = 0
        self.connection: ClientConnection | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._queue: asyncio.Queue[Any] | None = None
        self._connected: asyncio.Event | None = None
        self._stop: asyncio.Event | None = None
        self._retry_now: asyncio.Event | None = None
        self._runner: asyncio.Task[None] | None = None
        self._dispatcher: asyncio.Task[None] | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    async def start(self) -> None:
        """Start connecting in the background (returns at once)."""
        if self._runner is not None and not self._runner.done():
            return
        self._queue = asyncio.Queue(self.queue_size)
        self._connected = asyncio.Event()
        self._stop = asyncio.Event()
        self._retry_now = asyncio.Event()
        self._dispatcher = asyncio.create_task(self._dispatch(), name=f"ws-dispatch-{self.integration_id}")
        self._runner = asyncio.create_task(self._run(), name=f"ws-{self.integration_id}")

    async def stop(self) -> None:
        """Close the connection and end all tasks; messages not yet handled are discarded."""
        if self._stop is not None:
            self._stop.set()
        for task in (self._runner, self._dispatcher):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._set_state(WsState.STOPPED, "stopped")

    async def wait_connected(self, timeout: float | None = None) -> None:
        """Wait until authenticated and subscribed (raises asyncio.TimeoutError)."""
        assert self._connected is not None, "start() first"
        async with asyncio.timeout(timeout):
            await self._connected.wait()

    async def wait_stopped(self) -> None:
        """Wait until the client stops on its own (permanent auth failure) or is stopped."""
        if self._runner is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner

    def reconnect_now(self) -> None:
        """End a reconnect wait at once: another call (e.g. a REST poll) just proved the peer is back."""
        if self._retry_now is not None and not self.is_connected:
            self._retry_now.set()

    @property
    def is_connected(self) -> bool:
        return self._connected is not None and self._connected.is_set()

    def snapshot(self) -> dict[str, Any]:
        """Health view of the link."""
        return {"state": self.state.value, "connections": self.connections, "resyncs": self.resyncs,
                "overflows": self.overflows, "dead_links": self.dead_links,
                "skipped_messages": self.skipped_messages, "last_error": self.last_error,
                "queued": self._queue.qsize() if self._queue else 0}

    # -- sending -------------------------------------------------------------------------------
    async def send_json(self, payload: Any) -> None:
        conn = self.connection
        if conn is None:
            raise exc.IntegrationConnectionError("WebSocket is not connected", integration_id=self.integration_id)
        try:
            await conn.send(json.dumps(payload))
        except ConnectionClosed as closed:
            raise exc.IntegrationConnectionError(f"WebSocket closed: {closed}", integration_id=self.integration_id) from None

    async def recv_json(self, timeout: float | None = None) -> Any:
        """Read one message directly; only for ``authenticate`` (before the reader starts)."""
        conn = self.connection
        if conn is None:
            raise exc.IntegrationConnectionError("WebSocket is not connected", integration_id=self.integration_id)
        async with asyncio.timeout(timeout or self.auth_timeout):
            raw = await conn.recv()
        try:
            return json.loads(raw)
        except ValueError:
            raise exc.DataValidationError("WebSocket message is not JSON",
                                          integration_id=self.integration_id) from None

    def next_id(self) -> int:
        """The next message id of this connection (ids restart at 1 after every reconnect)."""
        return next(self._ids)

    async def send_command(self, payload: Mapping[str, Any], timeout: float | None = None) -> Any:
        """Send ``payload`` with a fresh ``id`` and return the response message carrying that id."""
        message_id = self.next_id()
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        try:
            await self.send_json({"id": message_id, **payload})
            async with asyncio.timeout(timeout or self.command_timeout):
                return await future
        except TimeoutError:
            raise exc.IntegrationTimeoutError(f"no answer to {payload.get('type', 'command')} within "
                                   f"{timeout or self.command_timeout}s", integration_id=self.integration_id) from None
        finally:
            self._pending.pop(message_id, None)

    # -- internals -----------------------------------------------------------------------------
    def _set_state(self, state: WsState, detail: str = "") -> None:
        self.state = state
        if self.on_state_change is not None:
            try:
                self.on_state_change(state, redact(detail))
            except Exception:
                logger.exception("%s: state callback failed", self.integration_id)

    async def _run(self) -> None:
        assert self._stop is not None
        failures = 0
        while not self._stop.is_set():
            self._set_state(WsState.CONNECTING, "connecting")
            established = False
            try:
                established = await self._connect_once()
            except exc.AuthenticationError as auth_error:
                self.last_error = auth_error.message
                logger.warning("%s: WebSocket authentication refused; needs new credentials",
                               self.integration_id)
                self._set_state(WsState.NEEDS_CREDENTIALS, "needs new credentials")
                if self.on_auth_failed is not None:
                    outcome = self.on_auth_failed(auth_error)
                    if inspect.isawaitable(outcome):
                        await outcome
                return
            except asyncio.CancelledError:
                raise
            except Exception as error:  # any failure of one connection only means: reconnect
                self.last_error = redact(f"{type(error).__name__}: {error}")[:300]
                logger.warning("%s: WebSocket connection failed: %s", self.integration_id, self.last_error)
            if self._stop.is_set():
                return
            failures = 1 if established else failures + 1
            delay = self.backoff.backoff(failures, self.rng)
            self._set_state(WsState.BACKOFF, f"reconnecting in {delay:.1f}s")
            await self._wait_or_stop(delay)

    async def _wait_or_stop(self, delay: float) -> None:
        assert self._stop is not None and self._retry_now is not None
        self._retry_now.clear()
        waiters = {asyncio.ensure_future(self.clock.asleep(delay)), asyncio.ensure_future(self._stop.wait()),
                   asyncio.ensure_future(self._retry_now.wait())}
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waiters:
                task.cancel()

    async def _open(self) -> ClientConnection:
        try:
            return await connect(self.url, max_size=self.max_size, ping_interval=None, close_timeout=2,
                                 open_timeout=self.open_timeout, additional_headers=self.headers,
                                 user_agent_header=self.user_agent)
        except InvalidStatus as refused:
            status = refused.response.status_code
            if status in (401, 403):
                raise exc.AuthenticationError(f"WebSocket handshake refused ({status})",
                                              integration_id=self.integration_id) from None
            raise exc.IntegrationConnectionError(f"WebSocket handshake refused ({status})",
                                      integration_id=self.integration_id, transient=True) from None

    async def _connect_once(self) -> bool:
        """One connection's life; returns True when it got as far as connected (resets the backoff)."""
        conn = await self._open()
        self.connection = conn
        self._ids = itertools.count(1)
        tasks: list[asyncio.Task[Any]] = []
        established = False
        try:
            if self.authenticate is not None:
                try:
                    async with asyncio.timeout(self.auth_timeout):
                        await self.authenticate(self)
                except TimeoutError:
                    conn.transport.abort()  # a peer that does not answer would not answer a close either
                    raise exc.IntegrationTimeoutError(f"no answer to the authentication handshake within "
                                                      f"{self.auth_timeout:g} s",
                                           integration_id=self.integration_id) from None
            tasks.append(asyncio.create_task(self._read(conn)))
            if self.ping is not None and self.ping_interval:
                tasks.append(asyncio.create_task(self._keepalive(conn)))
            if self.on_connect is not None:
                await self.on_connect(self)
            self._enqueue(_RESYNC)
            established = True
            # the peer answers again: its breaker need not wait out its timeout before REST calls resume
            get_breaker(self.integration_id).record_success()
            self.connections += 1
            if self.connections > 1:
                self.metrics.record_reconnect()
            assert self._connected is not None
            self._connected.set()
            self._set_state(WsState.CONNECTED, "connected")
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in reversed(tasks):  # a failed ping says why; the reader then only saw the link end
                if task in done:
                    task.result()
            return established
        finally:
            if self._connected is not None:
                self._connected.clear()
            self.connection = None
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            lost = exc.IntegrationConnectionError("WebSocket connection lost", integration_id=self.integration_id)
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(lost)
            self._pending.clear()
            with contextlib.suppress(Exception):
                async with asyncio.timeout(2):
                    await conn.close()

    async def _read(self, conn: ClientConnection) -> None:
        """Reader: resolve command responses, queue everything else; returns when the link ends."""
        try:
            async for raw in conn:
                try:
                    data = json.loads(raw)
                except ValueError:
                    self.skipped_messages += 1
                    logger.warning("%s: skipped a WebSocket message that is not JSON (%d bytes)",
                                   self.integration_id, len(raw))
                    continue
                items = data if self.split_arrays and isinstance(data, list) else [data]
                for item in items:
                    if not self._resolve(item):
                        self._enqueue(item)
        except ConnectionClosed as closed:
            raise exc.IntegrationConnectionError(f"WebSocket closed ({closed.rcvd.code if closed.rcvd else 'no close frame'})",
                                      integration_id=self.integration_id) from None
        except WebSocketException as broken:
            raise exc.IntegrationConnectionError(f"WebSocket protocol error: {broken}",
                                      integration_id=self.integration_id) from None
        raise exc.IntegrationConnectionError("WebSocket closed by the peer", integration_id=self.integration_id)

    def _resolve(self, item: Any) -> bool:
        if not isinstance(item, dict) or item.get("type") not in self.response_types:
            return False
        future = self._pending.get(item.get("id"))  # type: ignore[arg-type]
        if future is None:
            return False
        if not future.done():
            future.set_result(item)
        return True

    def _enqueue(self, item: Any) -> None:
        assert self._queue is not None
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            dropped = self._queue.qsize()
            while not self._queue.empty():
                self._queue.get_nowait()
            self.overflows += 1
            logger.warning("%s: handler fell behind; dropped %d queued messages and will resync",
                           self.integration_id, dropped)
            self._queue.put_nowait(_RESYNC)

    async def _dispatch(self) -> None:
        """Deliver queued messages to the handler strictly in order; a resync marker runs the resync hook."""
        assert self._queue is not None
        while True:
            item = await self._queue.get()
            if item is _RESYNC:
                if self.resync is None:
                    continue
                self.resyncs += 1
                try:
                    await self.resync(self)
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    logger.warning("%s: resync failed: %s", self.integration_id, redact(error))
                continue
            try:
                await self.on_message(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.skipped_messages += 1
                logger.exception("%s: message handler failed; message skipped", self.integration_id)

    async def _keepalive(self, conn: ClientConnection) -> None:
        """Ping every ``ping_interval``; no answer within ``ping_timeout`` means the link is dead."""
        assert self.ping is not None and self.ping_interval
        while True:
            await asyncio.sleep(self.ping_interval)
            try:
                async with asyncio.timeout(self.ping_timeout):
                    await self.ping(self)
            except (TimeoutError, exc.IntegrationTimeoutError):
                self.dead_links += 1
                logger.warning("%s: no answer to ping within %.1fs; dropping the link", self.integration_id,
                               self.ping_timeout or 0)
                conn.transport.abort()
                raise exc.IntegrationTimeoutError(f"WebSocket peer stopped answering pings (none within "
                                                  f"{self.ping_timeout or 0:g} s)",
                                       integration_id=self.integration_id) from None
