from __future__ import annotations

import asyncio
import gc
import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn

from hi.apps.access.testing import token_owner
from hi.apps.api.models import ApiToken
from hi.integrations import integration_factory

from .factories import LampGateway, SwitchGateway


@pytest.fixture
def switch_gateway():
    integration_factory.register(SwitchGateway)
    gateway = SwitchGateway()
    gateway.controller.requests.clear()
    yield gateway
    integration_factory.unregister(SwitchGateway.integration_id)


@pytest.fixture
def api(client, db):
    """A test client that sends a valid bearer token with every request."""
    _, plain = ApiToken.issue("tests", user=token_owner())
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
    return client


@pytest.fixture
def lamp_gateway():
    integration_factory.register(LampGateway)
    yield LampGateway()
    integration_factory.unregister(LampGateway.integration_id)


@pytest.fixture
def server_url(settings) -> Iterator[str]:
    """uvicorn serving the project's ASGI application on its own loop in a thread."""
    from django.core.asgi import get_asgi_application

    settings.ROOT_URLCONF = "hi.apps.api.tests.urls"
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(get_asgi_application(), lifespan="off", log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = 100
    while not server.started and deadline:
        threading.Event().wait(0.05)
        deadline -= 1
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    # request threads' database connections are freed only by the cycle collector; on PostgreSQL an
    # uncollected one keeps the test database from being dropped at the end of the run
    gc.collect()
