"""Authenticated proxy for Home Assistant cameras: the browser asks us, we ask Home Assistant with the token.

Home Assistant serves a camera's picture at ``/api/camera_proxy/<entity_id>`` and its live MJPEG at
``/api/camera_proxy_stream/<entity_id>``, both behind the long-lived access token. That token is used
here and never reaches a page; only signed-in people reach these views, and only for cameras we imported.
"""

from __future__ import annotations

import logging

import httpx
from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from hi.integrations.media_proxy import IMAGE, MediaRefused, media_response, refusal
from hi.integrations.media_relay import relay_mjpeg
from hi.integrations.timeouts import configured_httpx
from hi.utils.redaction import redact

from .camera_pictures import camera_picture
from .camera_pictures import target as _target

logger = logging.getLogger("hi.services.hass.camera_proxy")


def _not_found() -> HttpResponse:
    return HttpResponseNotFound("No such camera.", content_type="text/plain")


def _unavailable(reason: object) -> HttpResponse:
    logger.warning("hass camera proxy: %s", redact(reason))
    return HttpResponse("The camera is not reachable right now.", status=502, content_type="text/plain")


@login_required
async def picture(request: HttpRequest, entity_id: str) -> HttpResponse:
    target = await sync_to_async(_target)(entity_id)
    if target is None:
        return _not_found()
    try:  # the shared proxy rules: an allowed image type, checked bytes, size and time limits, never HA's HTML
        media = await camera_picture(*target, entity_id)
    except MediaRefused as exc:
        return refusal(exc, IMAGE)
    return media_response(media)


@login_required
async def stream(request: HttpRequest, entity_id: str) -> HttpResponse:
    target = await sync_to_async(_target)(entity_id)
    if target is None:
        return _not_found()
    base_url, token = target
    http = httpx.AsyncClient(timeout=configured_httpx())
    try:
        upstream = await http.send(http.build_request(
            "GET", f"{base_url}/api/camera_proxy_stream/{entity_id}", headers={"Authorization": f"Bearer {token}"}),
            stream=True)
    except httpx.HTTPError as exc:
        await http.aclose()
        return _unavailable(exc)
    if upstream.status_code != 200:
        await upstream.aclose()
        await http.aclose()
        return _unavailable(f"Home Assistant answered {upstream.status_code} for {entity_id}'s stream")

    return await relay_mjpeg(upstream, http, f"hass camera stream {entity_id}", logger)
