"""A real uvicorn serving the hub's wrapped ASGI application on a loopback port, in a thread."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn


@pytest.fixture
def hub_address(db) -> Iterator[tuple[str, int]]:
    """(host, port) of uvicorn serving ``hi.asgi.wrap(ASGIHandler())``, as ``hi run`` does."""
    from django.core.handlers.asgi import ASGIHandler

    from hi.asgi import wrap

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(wrap(ASGIHandler()), lifespan="off", log_level="warning",
                                           access_log=False, timeout_graceful_shutdown=1))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        threading.Event().wait(0.025)
    assert server.started, "uvicorn did not start"
    yield sock.getsockname()
    server.should_exit = True
    thread.join(10)
    gc.collect()
