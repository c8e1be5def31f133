"""Authenticated proxy for live view and snapshots: the browser asks us, we ask ZoneMinder with the token.

ZoneMinder's ``nph-zms`` wants ``?token=`` in the URL; that URL is built here, used here and never
sent to the browser. Only logged-in users reach these views, and only for monitors we imported.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

import httpx
from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from hi.apps.entity.models import Entity
from hi.integrations.enums import IntegrationStatus
from hi.integrations.exceptions import AuthenticationError, IntegrationError
from hi.integrations.media_relay import relay_mjpeg
from hi.integrations.models import Integration
from hi.utils.redaction import redact, register_secret

from .zm_client import AsyncZoneMinderClient
from .zm_converter import INTEGRATION_ID, camera_name
from .zm_settings import settings_from

logger = logging.getLogger("hi.services.zoneminder.proxy")
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[int, AsyncZoneMinderClient]] = \
    weakref.WeakKeyDictionary()
STREAM_MAX_FPS = 5


def _configuration() -> tuple[int, dict[str, str]] | None:
    integration = Integration.objects.filter(integration_id=INTEGRATION_ID).first()
    if integration is None or integration.status in (IntegrationStatus.NOT_CONFIGURED, IntegrationStatus.DISABLED):
        return None
    return integration.config_version, integration.attribute_values()


async def _client() -> AsyncZoneMinderClient | None:
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
    client = AsyncZoneMinderClient(settings_from(attributes))
    _clients[loop] = (version, client)
    return client


async def _is_camera(monitor_id: int) -> bool:
    return await Entity.objects.filter(integration_id=INTEGRATION_ID, integration_name=camera_name(monitor_id)).aexists()


def _not_found() -> HttpResponse:
    return HttpResponseNotFound("No such camera.", content_type="text/plain")


def _unavailable(exc: Exception) -> HttpResponse:
    logger.warning("zoneminder proxy: %s", redact(exc))
    return HttpResponse("The camera is not reachable right now.", status=502, content_type="text/plain")


async def single_frame(client: AsyncZoneMinderClient, monitor_id: int) -> tuple[bytes, str]:
    """One JPEG from ``nph-zms`` (the token stays in this process); raises ``IntegrationError``."""
    params = {"mode": "single", "monitor": monitor_id, "scale": 100}
    url = f"{client.settings.portal_url}/cgi-bin/nph-zms"
    for attempt in range(2):
        try:
            response = await client.http.request("GET", url, params=params)
        except AuthenticationError:  # nph-zms answers a stale token with 403: log in again once
            client.auth.invalidate()
            if attempt:
                raise
            continue
        return response.content, response.headers.get("Content-Type", "image/jpeg")
    raise AssertionError("unreachable")


async def fetch_frame(monitor_id: int) -> tuple[bytes, str] | None:
    """A frame for the hub itself (an alert's snapshot), on a client of its own that is closed after."""
    found = await sync_to_async(_configuration)()
    if found is None or not await _is_camera(monitor_id):
        return None
    _version, attributes = found
    register_secret(attributes.get("password"))
    client = AsyncZoneMinderClient(settings_from(attributes))
    try:
        return await single_frame(client, monitor_id)
    finally:
        await client.aclose()


@login_required
async def snapshot(request: HttpRequest, monitor_id: int) -> HttpResponse:
    if not await _is_camera(monitor_id):
        return _not_found()
    client = await _client()
    if client is None:
        return _not_found()
    try:
        content, content_type = await single_frame(client, monitor_id)
    except IntegrationError as exc:
        return _unavailable(exc)
    result = HttpResponse(content, content_type=content_type)
    result["Cache-Control"] = "no-store"
    return result


@login_required
async def stream(request: HttpRequest, monitor_id: int) -> HttpResponse:
    if not await _is_camera(monitor_id):
        return _not_found()
    client = await _client()
    if client is None:
        return _not_found()
    try:
        await client.ensure_token()
    except IntegrationError as exc:
        return _unavailable(exc)
    upstream_url = client.stream_url(monitor_id, mode="jpeg", max_fps=STREAM_MAX_FPS)
    http = httpx.AsyncClient(timeout=httpx.Timeout(connect=5, read=30, write=5, pool=5))
    try:
        upstream = await http.send(http.build_request("GET", upstream_url), stream=True)
    except httpx.HTTPError as exc:
        await http.aclose()
        return _unavailable(exc)
    if upstream.status_code != 200:
        await upstream.aclose()
        await http.aclose()
        if upstream.status_code == 403:
            client.auth.invalidate()
        return _unavailable(RuntimeError(f"nph-zms answered {upstream.status_code}"))

    return await relay_mjpeg(upstream, http, f"zoneminder stream for monitor {monitor_id}", logger)
