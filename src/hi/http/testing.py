"""Test support: an ASGI application served by a real uvicorn on a loopback port, for tests that need real
sockets (streams that end, bodies that are refused) rather than Django's test client."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

STARTUP_SECONDS = 10.0


@contextlib.contextmanager
def serving(app: Any, **config: Any) -> Iterator[tuple[str, int]]:
    """``app`` served by uvicorn on a free loopback port, on its own event loop in a thread; yields
    (host, port) once it accepts connections and stops it afterwards. ``config`` adds uvicorn options."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, **{"lifespan": "off", "log_level": "warning",
                                                   "timeout_graceful_shutdown": 1, **config}))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        threading.Event().wait(0.025)  # uvicorn offers nothing to wait on but this flag
    assert server.started, "uvicorn did not start"
    try:
        yield sock.getsockname()
    finally:
        server.should_exit = True
        thread.join(10)
        # request threads' database connections are freed only by the cycle collector; on PostgreSQL an
        # uncollected one keeps the test database from being dropped at the end of the run
        gc.collect()
