"""Fetching pictures and clips from ZoneMinder's portal (``index.php``, ``nph-zms``) with a server-side token.

The portal wants ``?token=`` in the URL; those URLs are built here, used here and never reach a browser.
Everything read goes through ``hi.integrations.media_proxy``: declared type and magic bytes checked, size
and time limited. A refused token (403, or the login page ZoneMinder shows instead of a picture) is
renewed once. Endpoints (ZoneMinder 1.36, see docs/protocols/zoneminder-media.md):

- ``index.php?view=image&eid=E&fid=snapshot|alarm|N[&width=W]``: an event's snapshot, alarm or N-th frame
- ``index.php?view=view_video&eid=E``: the event's MP4 (``DefaultVideo``), byte ranges honoured
- ``cgi-bin/nph-zms?mode=single&monitor=M``: a camera's picture now
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any

import httpx
from asgiref.sync import sync_to_async

from hi.apps.entity.models import EntityState
from hi.apps.event.models import Event
from hi.integrations import thumbnail_cache
from hi.integrations.enums import IntegrationStatus
from hi.integrations.exceptions import IntegrationError
from hi.integrations.media_proxy import JPEG, Media, MediaKind, MediaRefused, fetch_media
from hi.integrations.models import Integration
from hi.integrations.timeouts import configured as configured_timeouts
from hi.integrations.timeouts import configured_httpx, read_seconds
from hi.utils.redaction import register_secret

from .zm_client import AsyncZoneMinderClient
from .zm_converter import INTEGRATION_ID, camera_name
from .zm_settings import settings_from

logger = logging.getLogger("hi.services.zoneminder.proxy")
PICTURE_READ_CAP = 15.0  # seconds: a timeline page asks for dozens of pictures; none may hold it longer
THUMBNAIL_WIDTH = 320
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[int, AsyncZoneMinderClient]] = \
    weakref.WeakKeyDictionary()
_fetchers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = weakref.WeakKeyDictionary()


def _configuration() -> tuple[int, dict[str, str]] | None:
    integration = Integration.objects.filter(integration_id=INTEGRATION_ID).first()
    if integration is None or integration.status in (IntegrationStatus.NOT_CONFIGURED, IntegrationStatus.DISABLED):
        return None
    return integration.config_version, integration.attribute_values()


async def client() -> AsyncZoneMinderClient | None:
    """One logged-in client per event loop and configuration version (tokens are reused, not re-fetched)."""
    found = await sync_to_async(_configuration)()
    if found is None:
        return None
    version, attributes = found
    register_secret(attributes.get("password"))
    loop = asyncio.get_running_loop()
    cached = _clients.get(loop)
    if cached is not None and cached[0] == version:
        return cached[1]
    if cached is not None:
        await cached[1].aclose()
    made = AsyncZoneMinderClient(settings_from(attributes), timeouts=configured_timeouts())
    _clients[loop] = (version, made)
    return made


def picture_timeout() -> httpx.Timeout:
    """The configured timeouts (``HI_HTTP_*_TIMEOUT``), the read one at most ``PICTURE_READ_CAP``."""
    return configured_httpx(read=min(PICTURE_READ_CAP, read_seconds()))


def _fetcher() -> httpx.AsyncClient:
    """A pooled plain HTTP client per loop for short picture fetches (a timeline page asks for dozens)."""
    loop = asyncio.get_running_loop()
    http = _fetchers.get(loop)
    if http is None or http.is_closed:
        http = httpx.AsyncClient(timeout=picture_timeout(), follow_redirects=False)
        _fetchers[loop] = http
    return http


async def portal_url(zm: AsyncZoneMinderClient, path: str, params: dict[str, Any]) -> str:
    await zm.ensure_token()
    return zm.portal_address(path, params)


async def fetch(zm: AsyncZoneMinderClient, path: str, params: dict[str, Any], label: str,
                kind: MediaKind = JPEG, http: httpx.AsyncClient | None = None) -> Media:
    """Checked media from the portal; the token is renewed once if ZoneMinder refused it.

    ``http``: the plain client to fetch with (default: this loop's pooled one)."""
    for attempt in range(2):
        try:
            url = await portal_url(zm, path, params)
        except IntegrationError as exc:
            raise MediaRefused(f"{label}: {exc.message}") from exc
        try:
            return await fetch_media(http or _fetcher(), httpx.Request("GET", url), kind, label)
        except MediaRefused as exc:
            if attempt or not exc.maybe_auth:
                raise
            zm.auth.invalidate()
    raise AssertionError("unreachable")


def movement_state_id(monitor_id: int) -> int | None:
    return (EntityState.objects.filter(entity__integration_id=INTEGRATION_ID, entity__integration_name=camera_name(
        monitor_id), state_key="movement").values_list("id", flat=True).first())


def recorded_event(monitor_id: int, event_id: int) -> Event | None:
    """The hub's Event for ZoneMinder event ``event_id`` of monitor ``monitor_id`` (None: not one we recorded).

    One query; it reaches the event through its movement state and the (state, correlation) index."""
    return (Event.objects.filter(entity_state__entity__integration_id=INTEGRATION_ID,
                                 entity_state__entity__integration_name=camera_name(monitor_id),
                                 entity_state__state_key="movement", correlation_id=str(event_id))
            .only("id", "end").first())


def thumbnail_key(event_id: int) -> str:
    return f"zoneminder:{event_id}:snapshot:{THUMBNAIL_WIDTH}"


async def event_thumbnail(zm: AsyncZoneMinderClient, event_id: int, is_open: bool,
                          http: httpx.AsyncClient | None = None) -> Media | None:
    """The event's snapshot frame (highest score), scaled by ZoneMinder, from the disk cache when there."""
    async def load() -> Media | None:
        return await fetch(zm, "index.php", {"view": "image", "eid": event_id, "fid": "snapshot",
                                             "width": THUMBNAIL_WIDTH}, f"zoneminder event {event_id} thumbnail",
                           http=http)

    seconds = thumbnail_cache.OPEN_EVENT_SECONDS if is_open else thumbnail_cache.closed_event_seconds()
    return await thumbnail_cache.cached(thumbnail_key(event_id), load, seconds)


async def camera_picture(zm: AsyncZoneMinderClient, monitor_id: int,
                         http: httpx.AsyncClient | None = None) -> Media:
    return await fetch(zm, "cgi-bin/nph-zms", {"mode": "single", "monitor": monitor_id, "scale": 100},
                       f"zoneminder monitor {monitor_id} snapshot", http=http)
