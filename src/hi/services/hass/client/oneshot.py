"""A short-lived WebSocket session for the synchronizer: connect, authenticate, run a few commands, close.

Sync runs in a worker thread or a CLI process without an event loop of its own, and needs the
registries once per sync; keeping the monitor's long-lived connection out of it means a sync works
whether or not the monitor is running. Errors map onto the shared exception types.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from hi.integrations import exceptions as exc

from .registry import Registries, fetch_registries
from .websocket import DEFAULT_MAX_SIZE, websocket_url

INTEGRATION_ID = "hass"


T = TypeVar("T")
Work = Callable[[Callable[[dict[str, Any]], Awaitable[Any]]], Awaitable[T]]


async def _session(base_url: str, token: str, timeout: float, work: Work[T]) -> T:
    url = websocket_url(base_url)
    try:
        async with connect(url, open_timeout=timeout, max_size=DEFAULT_MAX_SIZE, ping_interval=None) as ws:
            next_id = 0

            async def receive() -> Any:
                async with asyncio.timeout(timeout):
                    return json.loads(await ws.recv())

            hello = await receive()
            if not isinstance(hello, dict) or hello.get("type") != "auth_required":
                raise exc.DataValidationError("the server did not start the Home Assistant handshake",
                                              integration_id=INTEGRATION_ID)
            await ws.send(json.dumps({"type": "auth", "access_token": token}))
            answer = await receive()
            if not isinstance(answer, dict) or answer.get("type") != "auth_ok":
                raise exc.AuthenticationError("Home Assistant refused the access token on its WebSocket API",
                                              integration_id=INTEGRATION_ID)

            async def send_command(payload: dict[str, Any]) -> Any:
                nonlocal next_id
                next_id += 1
                await ws.send(json.dumps({**payload, "id": next_id}))
                while True:  # nothing is subscribed, so only our answer (or a stray frame) arrives
                    message = await receive()
                    for item in message if isinstance(message, list) else [message]:
                        if isinstance(item, dict) and item.get("id") == next_id:
                            return item

            return await work(send_command)
    except TimeoutError as error:
        raise exc.IntegrationTimeoutError(f"Home Assistant's WebSocket API did not answer within {timeout:g} s",
                               integration_id=INTEGRATION_ID) from error
    except InvalidStatus as error:
        status = error.response.status_code
        if status in (401, 403):
            raise exc.AuthenticationError(f"Home Assistant's WebSocket API refused us (HTTP {status})",
                                          integration_id=INTEGRATION_ID) from error
        raise exc.IntegrationConnectionError(f"Home Assistant's WebSocket API answered HTTP {status}",
                                  integration_id=INTEGRATION_ID) from error
    except (OSError, ConnectionClosed, WebSocketException) as error:
        raise exc.IntegrationConnectionError(f"could not read Home Assistant's registries: {error.__class__.__name__}",
                                  integration_id=INTEGRATION_ID) from error
    except ValueError as error:
        raise exc.DataValidationError("Home Assistant sent a WebSocket frame that is not JSON",
                                      integration_id=INTEGRATION_ID) from error


def _blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    # Called from inside an event loop's thread: run the session on a helper thread instead.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def read_registries(base_url: str, token: str, timeout: float = 30.0) -> Registries:
    """Every registry of the server at ``base_url`` (blocking; runs its own short event loop)."""
    return _blocking(_session(base_url, token, timeout, fetch_registries))


def run_commands(base_url: str, token: str, commands: list[dict[str, Any]], timeout: float = 30.0) -> list[Any]:
    """Send WebSocket commands one after another and return their answers (real-system tests use it to
    change registries the way HA's own frontend does)."""
    async def work(send: Callable[[dict[str, Any]], Awaitable[Any]]) -> list[Any]:
        return [await send(command) for command in commands]

    return _blocking(_session(base_url, token, timeout, work))
