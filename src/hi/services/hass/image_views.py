"""Pictures of Home Assistant's ``image.*`` entities, through the hub's strict media proxy.

HA serves an image entity's picture at ``/api/image_proxy/<entity_id>``; a browser would need the
entity's rotating ``access_token`` in the URL, or the long-lived token. The hub asks instead, with the
long-lived token in the Authorization header (HA accepts an authenticated request as well as the
access token, and a header keeps every token out of URLs and the HTTP client's request log), and the
answer must be a picture by its declared type and its first bytes (``media_proxy.IMAGE``: JPEG, PNG,
GIF, WebP) before the signed-in person gets it under the hub's own type.
"""

from __future__ import annotations

import logging
import re

import httpx
from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from hi.integrations.media_proxy import (
    IMAGE,
    MediaRefused,
    error_picture,
    fetch_media,
    media_response,
    refusal,
)
from hi.integrations.timeouts import configured_httpx

from .camera_pictures import target as _target

logger = logging.getLogger("hi.services.hass.image_proxy")
_IMAGE_ID = re.compile(r"^image\.[a-z0-9_]+$")


@login_required
async def image(request: HttpRequest, entity_id: str) -> HttpResponse:
    target = await sync_to_async(_target)(entity_id, _IMAGE_ID)
    if target is None:
        return error_picture(404)
    base_url, token = target
    upstream = httpx.Request("GET", f"{base_url}/api/image_proxy/{entity_id}",
                             headers={"Authorization": f"Bearer {token}"})
    try:
        async with httpx.AsyncClient(timeout=configured_httpx()) as http:
            media = await fetch_media(http, upstream, IMAGE, f"hass image {entity_id}")
    except MediaRefused as exc:
        return refusal(exc, IMAGE)
    return media_response(media)
