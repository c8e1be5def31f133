"""Integration attributes → client settings and the server's time zone (shared by sync, monitor, views)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping

from hi.integrations.exceptions import ConfigurationError, DataValidationError

from .zm_client import INTEGRATION_ID, ZmSettings


def settings_from(attributes: Mapping[str, str]) -> ZmSettings:
    try:
        return ZmSettings(api_url=attributes["api_url"].rstrip("/"),
                          portal_url=(attributes.get("portal_url") or attributes["api_url"].rstrip("/")
                                      .removesuffix("/api")).rstrip("/"),
                          username=attributes.get("username", ""), password=attributes.get("password", ""))
    except KeyError as exc:
        raise ConfigurationError(f"zoneminder: {exc.args[0]} is not configured", integration_id=INTEGRATION_ID) from None


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The server's time zone; an unknown name from the server is a data error, not a crash."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise DataValidationError(f"unknown time zone {name!r}", field="tz", integration_id=INTEGRATION_ID) from None
