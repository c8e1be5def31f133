"""One way to get a Home Assistant camera's picture, for a browser (``views.picture``) and for the hub itself
(``HassGateway.fetch_picture``: an alert's snapshot, a notification's attachment).

Home Assistant serves it at ``/api/camera_proxy/<entity_id>`` behind the long-lived token, which goes in
the Authorization header (never in a URL, so it is in no request log). Whatever comes back passes the
shared media proxy's rules (``media_proxy.IMAGE``: an allowed declared type, matching first bytes, size
and time limits) before anyone keeps or shows it; a refusal is ``MediaRefused`` with the reason.
"""

from __future__ import annotations

import re

import httpx
from asgiref.sync import sync_to_async

from hi.apps.sense.models import Sensor
from hi.integrations.enums import IntegrationStatus
from hi.integrations.exceptions import IntegrationError
from hi.integrations.integration_gateway import Picture
from hi.integrations.media_proxy import IMAGE, Media, MediaRefused, fetch_media
from hi.integrations.models import Integration
from hi.integrations.timeouts import configured_httpx
from hi.utils.redaction import register_secret

INTEGRATION_ID = "hass"
CAMERA_ID = re.compile(r"^camera\.[a-z0-9_]+$")


def target(entity_id: str, pattern: re.Pattern[str] = CAMERA_ID) -> tuple[str, str] | None:
    """(base URL, token) when ``entity_id`` is a camera (or what ``pattern`` admits) we imported from a
    configured Home Assistant; None otherwise, so no request ever goes out for an entity that is not ours."""
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


async def camera_picture(base_url: str, token: str, entity_id: str) -> Media:
    """The camera's picture now as checked media; ``MediaRefused`` names why it is not one."""
    request = httpx.Request("GET", f"{base_url}/api/camera_proxy/{entity_id}",
                            headers={"Authorization": f"Bearer {token}"})
    async with httpx.AsyncClient(timeout=configured_httpx()) as http:
        return await fetch_media(http, request, IMAGE, f"hass camera picture {entity_id}")


async def picture_now(entity_id: str) -> Picture | None:
    """The picture for the hub itself (an alert's snapshot). None when it is not a camera of ours; an
    unreachable camera or a refused answer raises ``IntegrationError``, as the gateway contract says."""
    found = await sync_to_async(target)(entity_id)
    if found is None:
        return None
    try:
        media = await camera_picture(*found, entity_id)
    except MediaRefused as exc:
        raise IntegrationError(str(exc), integration_id=INTEGRATION_ID, transient=True) from exc
    return Picture(media.content, media.content_type, f"home assistant camera {entity_id}")
