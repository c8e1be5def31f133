"""The camera proxy: live view, snapshots, and recorded events' thumbnails, frames and clips.

The browser (or a script with an API token) asks us; we ask ZoneMinder with a token that never leaves
the server (``portal.py``). Only cameras we imported and events we recorded are served. Every answer
passes ``hi.integrations.media_proxy``'s checks: our own Content-Type, nosniff, magic bytes, size and
time limits, an error picture instead of whatever ZoneMinder said. Live streams hold a slot of
``hi.integrations.stream_limits`` until their upstream connection is closed.
"""

from __future__ import annotations

import asyncio
import logging

import httpx
from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from hi.apps.api.media_auth import session_or_token
from hi.apps.entity.models import Entity
from hi.apps.event.models import Event
from hi.integrations import thumbnail_cache
from hi.integrations.exceptions import IntegrationError
from hi.integrations.media_proxy import (
    JPEG,
    MP4,
    MediaRefused,
    error_picture,
    media_response,
    refusal,
    relay_media,
)
from hi.integrations.media_relay import relay_mjpeg
from hi.integrations.stream_limits import get_limiter, viewer_of
from hi.integrations.timeouts import configured_httpx
from hi.utils.redaction import redact

from . import portal
from .zm_converter import INTEGRATION_ID, camera_name

logger = logging.getLogger("hi.services.zoneminder.proxy")
STREAM_MAX_FPS = 5
THUMBNAIL_CACHE_SECONDS = 300  # the browser may keep a finished event's thumbnail this long


async def _is_camera(monitor_id: int) -> bool:
    return await Entity.objects.filter(integration_id=INTEGRATION_ID, integration_name=camera_name(monitor_id)).aexists()


def _not_found(what: str = "camera") -> HttpResponse:
    return HttpResponseNotFound(f"No such {what}.", content_type="text/plain")


def _unavailable(exc: object) -> HttpResponse:
    logger.warning("zoneminder proxy: %s", redact(exc))
    return HttpResponse("The camera is not reachable right now.", status=502, content_type="text/plain")


@session_or_token
async def snapshot(request: HttpRequest, monitor_id: int) -> HttpResponse:
    if not await _is_camera(monitor_id):
        return _not_found()
    zm = await portal.client()
    if zm is None:
        return _not_found()
    try:
        return media_response(await portal.camera_picture(zm, monitor_id))
    except MediaRefused as exc:
        return refusal(exc, JPEG)


@session_or_token
async def stream(request: HttpRequest, monitor_id: int) -> HttpResponse:
    if not await _is_camera(monitor_id):
        return _not_found()
    zm = await portal.client()
    if zm is None:
        return _not_found()
    lease = get_limiter().acquire(f"{INTEGRATION_ID}:{monitor_id}", viewer_of(request))
    if isinstance(lease, str):
        return HttpResponse(f"Live view refused: {lease}.", status=429, content_type="text/plain; charset=utf-8",
                            headers={"Retry-After": "10"})
    try:
        upstream_url = await portal.portal_url(zm, "cgi-bin/nph-zms", {
            "mode": "jpeg", "monitor": monitor_id, "scale": 100, "maxfps": STREAM_MAX_FPS})
    except IntegrationError as exc:
        lease.release()
        return _unavailable(exc)
    http = httpx.AsyncClient(timeout=configured_httpx())
    try:
        upstream = await http.send(http.build_request("GET", upstream_url), stream=True)
    except httpx.HTTPError as exc:
        await http.aclose()
        lease.release()
        return _unavailable(exc)
    if upstream.status_code != 200:
        await upstream.aclose()
        await http.aclose()
        lease.release()
        if upstream.status_code == 403:
            zm.auth.invalidate()
        return _unavailable(RuntimeError(f"nph-zms answered {upstream.status_code}"))
    return await relay_mjpeg(upstream, http, f"zoneminder stream for monitor {monitor_id}", logger,
                             on_close=lease.release)


async def _recorded(monitor_id: int, event_id: int) -> Event | None:
    return await sync_to_async(portal.recorded_event)(monitor_id, event_id)


@session_or_token
async def event_thumbnail(request: HttpRequest, monitor_id: int, event_id: int) -> HttpResponse:
    """The event's snapshot frame at thumbnail width, from the disk cache when it is there."""
    event = await _recorded(monitor_id, event_id)
    if event is None:
        return error_picture(404)
    browser_cache = 0 if event.end is None else THUMBNAIL_CACHE_SECONDS
    cached = await asyncio.to_thread(thumbnail_cache.read, portal.thumbnail_key(event_id))
    if cached is not None:  # the common case: no ZoneMinder client, no configuration read
        return media_response(cached, cache_seconds=browser_cache)
    zm = await portal.client()
    if zm is None:
        return error_picture(404)
    try:
        media = await portal.event_thumbnail(zm, event_id, event.end is None)
    except MediaRefused as exc:
        return refusal(exc, JPEG)
    if media is None:
        return error_picture(404)
    return media_response(media, cache_seconds=browser_cache)


@session_or_token
async def event_frame(request: HttpRequest, monitor_id: int, event_id: int, frame: int) -> HttpResponse:
    """One stored frame of the event (1-based), for frame-by-frame playback and for saving a picture."""
    event = await _recorded(monitor_id, event_id)
    zm = await portal.client() if event is not None else None
    if event is None or zm is None or frame < 1:
        return error_picture(404)
    try:
        media = await portal.fetch(zm, "index.php", {"view": "image", "eid": event_id, "fid": frame},
                                   f"zoneminder event {event_id} frame {frame}")
    except MediaRefused as exc:
        return refusal(exc, JPEG)
    return media_response(media, cache_seconds=0 if event.end is None else THUMBNAIL_CACHE_SECONDS)


@session_or_token
async def event_video(request: HttpRequest, monitor_id: int, event_id: int) -> HttpResponse:
    """The event's MP4 as ZoneMinder stored it, streamed through with byte ranges (seeking) and checked."""
    event = await _recorded(monitor_id, event_id)
    zm = await portal.client() if event is not None else None
    if event is None or zm is None:
        return _not_found("recording")
    try:
        url = await portal.portal_url(zm, "index.php", {"view": "view_video", "eid": event_id})
    except IntegrationError as exc:
        return _unavailable(exc)
    headers = {}
    asked = request.headers.get("Range", "")
    if asked.startswith("bytes=") and len(asked) < 64 and all(c.isdigit() or c in "=-bytes," for c in asked):
        headers["Range"] = asked
    http = httpx.AsyncClient(timeout=configured_httpx())
    response = await relay_media(http, httpx.Request("GET", url, headers=headers), MP4,
                                 f"zoneminder event {event_id} video")
    if request.GET.get("download") == "1" and response.status_code in (200, 206):
        response["Content-Disposition"] = f'attachment; filename="event-{event_id}.mp4"'
    return response
