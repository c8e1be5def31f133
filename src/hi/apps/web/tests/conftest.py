"""Fixtures of the web tests: a signed-in browser session, a registered toy integration, a small home."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hi.integrations import integration_factory

from .webtoy import TOY_ID, ToyController, ToyGateway

PASSWORD = "correct horse battery"


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("alice", password=PASSWORD)


@pytest.fixture
def client_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def toy() -> Iterator[type[ToyGateway]]:
    integration_factory.register(ToyGateway)
    ToyController.sent = []
    yield ToyGateway
    integration_factory.unregister(TOY_ID)
