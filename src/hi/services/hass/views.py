"""Authenticated proxy for Home Assistant cameras: the browser asks us, we ask Home Assistant with the token.

Home Assistant serves a camera's picture at ``/api/camera_proxy/<entity_id>`` and its live MJPEG at
``/api/camera_proxy_stream/<entity_id>``, both behind the long-lived access token. That token is used
here and never reaches a page; only signed-in people reach these views, and only for cameras we imported.
"""

from __future__ import annotations

import logging
import re

import httpx
from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from hi.apps.sense.models import Sensor
from hi.integrations.enums import IntegrationStatus
from hi.integrations.media_proxy import IMAGE, MediaRefused, fetch_media, media_response, refusal
from hi.integrations.media_relay import relay_mjpeg
from hi.integrations.models import Integration
from hi.utils.redaction import redact, register_secret

logger = logging.getLogger("hi.services.hass.camera_proxy")
INTEGRATION_ID = "hass"
_CAMERA_ID = re.compile(r"^camera\.[a-z0-9_]+$")
TIMEOUT = httpx.Timeout(connect=5, read=30, write=5, pool=5)


def _target(entity_id: str, pattern: re.Pattern[str] = _CAMERA_ID) -> tuple[str, str] | None:
    """(base URL, token) when ``entity_id`` is a camera (or what ``pattern`` admits) we imported from a
    configured Home Assistant."""
    if not pattern.match(entity_id):
        return None
    if not Sensor.objects.filter(integration_id=INTEGRATION_ID, integration_name=entity_id).exists():
        return None
    integration = Integration.objects.filter(integration_id=INTEGRATION_ID).first()
    if integration is None or integration.status in (IntegrationStatus.NOT_CONFIGURED, IntegrationStatus.DISABLED):
        return None
    values = integration.attribute_values()
    base_url, token = values.get("base_url", "").rstrip("/"), values.get("api_token", "")
    if not base_url or not token:
        return None
    register_secret(token)
    return base_url, token


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
    base_url, token = target
    request_out = httpx.Request("GET", f"{base_url}/api/camera_proxy/{entity_id}",
                                headers={"Authorization": f"Bearer {token}"})
    try:  # the shared proxy rules: an allowed image type, checked bytes, size and time limits, never HA's HTML
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            media = await fetch_media(http, request_out, IMAGE, f"hass camera picture {entity_id}")
    except MediaRefused as exc:
        return refusal(exc, IMAGE)
    return media_response(media)


@login_required
async def stream(request: HttpRequest, entity_id: str) -> HttpResponse:
    target = await sync_to_async(_target)(entity_id)
    if target is None:
        return _not_found()
    base_url, token = target
    http = httpx.AsyncClient(timeout=TIMEOUT)
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
