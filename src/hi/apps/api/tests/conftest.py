from __future__ import annotations

from collections.abc import Iterator

import pytest

from hi.apps.access.testing import token_owner
from hi.apps.api.models import ApiToken
from hi.http.testing import serving
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
    with serving(get_asgi_application()) as (host, port):
        yield f"http://{host}:{port}"
