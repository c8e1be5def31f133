"""Pictures as bytes for the hub itself, not for a browser: an alert's snapshot, a notification's thumbnail.

``ZoneMinderGateway.fetch_picture`` and ``fetch_event_thumbnail`` land here. The alarm code calls them
through ``async_to_sync`` (a loop that lives for one call), so each call uses a ZoneMinder client and an
HTTP client of its own and closes both before returning. What comes back passed the proxy's checks
(declared type, JPEG magic bytes, size and time limits); a refused or unreachable source raises
``IntegrationError`` as the gateway contract says.
"""

from __future__ import annotations

import logging

import httpx
from asgiref.sync import sync_to_async

from hi.integrations.exceptions import IntegrationError
from hi.integrations.integration_gateway import EventRef, Picture
from hi.integrations.media_proxy import MediaRefused
from hi.integrations.timeouts import configured as configured_timeouts
from hi.utils.redaction import register_secret

from . import portal
from .zm_client import AsyncZoneMinderClient
from .zm_converter import INTEGRATION_ID
from .zm_settings import settings_from

logger = logging.getLogger("hi.services.zoneminder.thumbnails")


async def _own_client(monitor_id: int) -> AsyncZoneMinderClient | None:
    found = await sync_to_async(portal._configuration)()
    if found is None or await sync_to_async(portal.movement_state_id)(monitor_id) is None:
        return None
    register_secret(found[1].get("password"))
    return AsyncZoneMinderClient(settings_from(found[1]), timeouts=configured_timeouts())


async def picture_now(monitor_id: int) -> Picture | None:
    """The camera's picture now (``nph-zms`` single frame), checked; None when it is not a camera of ours."""
    zm = await _own_client(monitor_id)
    if zm is None:
        return None
    try:
        async with httpx.AsyncClient(timeout=portal.picture_timeout()) as http:
            media = await portal.camera_picture(zm, monitor_id, http=http)
    except MediaRefused as exc:
        raise IntegrationError(str(exc), integration_id=INTEGRATION_ID, transient=True) from exc
    finally:
        await zm.aclose()
    return Picture(media.content, media.content_type, "zoneminder live frame")


async def event_picture(monitor_id: int, event: EventRef) -> Picture | None:
    """The event's thumbnail (disk-cached), else the camera's picture now."""
    details = event.details if isinstance(event.details, dict) else {}
    event_id = details.get("event_id")
    if isinstance(event_id, int):
        zm = await _own_client(monitor_id)
        if zm is None:
            return None
        try:
            async with httpx.AsyncClient(timeout=portal.picture_timeout()) as http:
                media = await portal.event_thumbnail(zm, event_id, event.end is None, http=http)
            if media is not None:
                return Picture(media.content, media.content_type, f"zoneminder event {event_id} snapshot")
        except MediaRefused as exc:
            logger.info("no thumbnail for zoneminder event %s (%s); using the camera's picture", event_id, exc)
        finally:
            await zm.aclose()
    return await picture_now(monitor_id)
