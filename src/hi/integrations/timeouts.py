"""The household's configured timeouts for calls to outside systems (``HI_HTTP_CONNECT_TIMEOUT``,
``HI_HTTP_READ_TIMEOUT``), for every integration's clients.

Why one place: the protocol clients (``hi.integrations.client``, ``hi.services.*.client``) never import
Django, so each integration used to pick its own fixed numbers and the settings changed nothing. Code that
builds a client asks here instead; the values are read at each call, so tests may override them with
pytest-django's ``settings`` fixture and a long-lived client can be keyed by them.
"""

from __future__ import annotations

import httpx
from django.conf import settings

from .client import Timeouts


def configured(**overrides: float) -> Timeouts:
    """Connect and read timeouts from the settings; ``overrides`` win (one call that must wait longer)."""
    return Timeouts.from_settings(settings, **overrides)


def configured_httpx(**overrides: float) -> httpx.Timeout:
    """The same for code that talks ``httpx`` directly (camera pictures and streams)."""
    return configured(**overrides).to_httpx()


def read_seconds() -> float:
    """The read timeout alone (WebSocket commands: how long an answer may take)."""
    return float(settings.HI_HTTP_READ_TIMEOUT)
