"""Fixtures of the web tests: a signed-in browser session, and the shared test-only ``toy`` integration
(``toy_simulator``, ``toy_gateway``, ``toy_attributes``: a real server on loopback behind a token)."""

from __future__ import annotations

import pytest
from django.test import Client

from hi.apps.access.testing import make_user
from hi.integrations.testing.fixtures import *  # noqa: F403

PASSWORD = "correct horse battery"


@pytest.fixture
def user(db):
    return make_user("alice", password=PASSWORD)


@pytest.fixture
def client_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
