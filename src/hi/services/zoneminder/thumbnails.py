"""Thumbnails as bytes for code that is not a web request (alarm notifications attach one).

``ZoneMinderGateway.thumbnail`` lands here: the event's cached thumbnail (fetched and cached on a miss),
or for no event / an event ZoneMinder cannot picture, the camera's picture now. Runs the async portal
code on a loop of its own, so call it from synchronous code (a worker thread), not from inside a loop.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync

from hi.integrations.integration_gateway import EventRef, Thumbnail
from hi.integrations.media_proxy import MediaRefused

from . import portal

logger = logging.getLogger("hi.services.zoneminder.thumbnails")


async def _thumbnail(monitor_id: int, event: EventRef | None) -> Thumbnail | None:
    zm = await portal.client()
    if zm is None:
        return None
    try:
        details = event.details if event is not None and isinstance(event.details, dict) else {}
        event_id = details.get("event_id")
        if event is not None and isinstance(event_id, int):
            try:
                media = await portal.event_thumbnail(zm, event_id, event.end is None)
                if media is not None:
                    return Thumbnail(media.content, media.content_type)
            except MediaRefused as exc:
                logger.info("no thumbnail for zoneminder event %s (%s); using the camera's picture", event_id, exc)
        media = await portal.camera_picture(zm, monitor_id)
        return Thumbnail(media.content, media.content_type)
    except MediaRefused as exc:
        logger.warning("no picture for zoneminder monitor %s: %s", monitor_id, exc)
        return None
    finally:
        await portal.close_loop_clients()  # this loop ends with the call


def thumbnail_sync(monitor_id: int, event: EventRef | None = None) -> Thumbnail | None:
    """Checked JPEG bytes for an event (or the camera now); None when ZoneMinder has none or is down."""
    return async_to_sync(_thumbnail)(monitor_id, event)
