"""The HomeBox monitor: a reachability probe every few minutes, a refresh sync every ``refresh_interval``,
and the count of warranties ending soon (a state alarm rules can watch) after each probe.

HomeBox has no push; the inventory changes rarely, so the monitor re-syncs on a slow clock (hourly
by default; a no-op sync is a handful of list requests). Between syncs it reads ``/status`` (no
login) so health shows an unreachable server within minutes, and it stores the login state (last
login, rate-limit block, token expiry) with the integration's health so every process can show it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async

from hi.integrations.enums import IntegrationStatus
from hi.integrations.exceptions import ConfigurationError
from hi.integrations.monitor import PeriodicMonitor
from hi.integrations.sensor_response import SensorResponse
from hi.integrations.timeouts import configured as configured_timeouts

from .client import INTEGRATION_ID, HomeBoxClient, session_for
from .hb_converter import ENDING_SOON_KEY, warranty_days
from .hb_settings import refresh_seconds, settings_from

if TYPE_CHECKING:
    from hi.integrations.monitor import MonitorContext

PROBE_SECONDS = 300.0


def configured_attributes() -> dict[str, str] | None:
    from hi.integrations.models import Integration

    integration = Integration.objects.filter(integration_id=INTEGRATION_ID).first()
    if integration is None or integration.status == IntegrationStatus.NOT_CONFIGURED:
        return None
    return integration.attribute_values()


def login_details(attributes: Mapping[str, str]) -> dict[str, Any]:
    try:
        return session_for(settings_from(attributes)).snapshot()
    except ConfigurationError:
        return {}


def probe(attributes: Mapping[str, str]) -> dict[str, Any]:
    """Reachability (``/status`` without login) plus the login state (last login, block, token expiry)."""
    with HomeBoxClient(settings_from(attributes), timeouts=configured_timeouts()) as client:
        status = client.status()
    return {"reachable": True, "version": status.build.version, **login_details(attributes)}


def warranty_responses(attributes: Mapping[str, str], now: dt.datetime) -> list[SensorResponse]:
    """The warranty count as it is today (dates move on without HomeBox changing: re-counted each poll)."""
    from .warranty import ending_soon_count

    days = warranty_days(attributes)
    return [SensorResponse(ENDING_SOON_KEY, ending_soon_count(days, now.date()), now, {"days": days})]


def refresh() -> None:
    from hi.integrations.sync.engine import run_sync

    run_sync(INTEGRATION_ID)


class HomeBoxMonitor(PeriodicMonitor):
    """Probe every ``PROBE_SECONDS``; sync when ``refresh_interval`` has passed since the last sync."""

    name = "homebox"
    interval_seconds = PROBE_SECONDS

    def __init__(self) -> None:
        self.last_sync_at: float | None = None

    async def poll(self, context: MonitorContext) -> None:
        attributes = dict(context.attributes)
        self.interval_seconds = min(PROBE_SECONDS, refresh_seconds(attributes))
        try:
            details = await sync_to_async(probe, thread_sensitive=False)(attributes)
        except Exception:
            await context.set_detail("homebox", {"reachable": False, **login_details(attributes)})
            raise
        await context.set_detail("homebox", details)
        now = context.monotonic()
        if self.last_sync_at is None or now - self.last_sync_at >= refresh_seconds(attributes):
            self.last_sync_at = now
            await sync_to_async(refresh)()
            await context.set_detail("homebox", {**details, **login_details(attributes)})
        await context.submit(await sync_to_async(warranty_responses)(attributes, context.now()))
