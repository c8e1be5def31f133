"""``/api/image_proxy/<entity_id>`` of the simulated Home Assistant: an ``image.*`` entity's picture.

As HA serves it: an authenticated request (the long-lived token) or the entity's current
``access_token`` in ``?token=`` gets the picture; a wrong bearer token is 401, anything else 403, an
entity that is not an image 404. ``image_content_type`` lets a test make it answer with something that
is not a picture (HTML), as a hostile or broken server might.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..zoneminder.media import camera_frame


async def image_proxy(sim: Any, request: web.Request) -> web.StreamResponse:
    entity_id = request.match_info["entity_id"]
    state = sim.store.get(entity_id) if entity_id.startswith("image.") else None
    if state is None:
        return web.Response(status=404, text="404: Not Found", content_type="text/plain")
    header = request.headers.get("Authorization", "")
    authenticated = header.startswith("Bearer ") and header[7:] in sim.tokens
    if not authenticated and request.query.get("token") != state.attributes.get("access_token"):
        return web.Response(status=401 if header else 403, text="Unauthorized", content_type="text/plain")
    sim.image_requests += 1
    if sim.image_content_type != "image/jpeg":
        return web.Response(body=b"<html><script>alert(1)</script></html>", content_type=sim.image_content_type)
    return web.Response(body=camera_frame(1, sim.image_requests), content_type="image/jpeg")
