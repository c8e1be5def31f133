"""Integration attributes → client settings (shared by sync, monitor, views and the connection test)."""

from __future__ import annotations

from collections.abc import Mapping

from hi.integrations.exceptions import ConfigurationError
from hi.utils.redaction import register_secret

from .client import INTEGRATION_ID, HomeBoxSettings

DEFAULT_REFRESH_SECONDS = 3600.0
MIN_REFRESH_SECONDS = 60.0


def settings_from(attributes: Mapping[str, str]) -> HomeBoxSettings:
    """Either an API key or a user name and password; a tenant (collection id) is optional."""
    api_url = (attributes.get("api_url") or "").strip()
    if not api_url:
        raise ConfigurationError("homebox: api_url is not configured", field_errors={"api_url": "required"},
                                 integration_id=INTEGRATION_ID)
    api_key = (attributes.get("api_key") or "").strip()
    username = (attributes.get("username") or "").strip()
    password = attributes.get("password") or ""
    register_secret(password)  # never in a log line, whichever path (sync, view, monitor) reads it first
    register_secret(api_key)
    if not api_key and not (username and password):
        raise ConfigurationError("homebox: give an API key, or a user name and a password",
                                 field_errors={"username": "a user name and password, or an API key, is required"},
                                 integration_id=INTEGRATION_ID)
    return HomeBoxSettings(api_url=api_url, username=username, password=password, api_key=api_key,
                           tenant=(attributes.get("tenant") or "").strip())


def refresh_seconds(attributes: Mapping[str, str]) -> float:
    """How often the worker re-syncs (default hourly; never more often than once a minute)."""
    raw = (attributes.get("refresh_interval") or "").strip()
    try:
        value = float(raw) if raw else DEFAULT_REFRESH_SECONDS
    except ValueError:
        value = DEFAULT_REFRESH_SECONDS
    return max(MIN_REFRESH_SECONDS, value)
