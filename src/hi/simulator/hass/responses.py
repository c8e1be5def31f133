"""The answers every route of the simulated Home Assistant shares: JSON bodies, the bearer check, HA's 401.

One place so the REST API, the camera proxy, onboarding and the test control surface answer alike
(HA's aiohttp sends ``401: Unauthorized`` as plain text, everything else as JSON).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(data), content_type="application/json")


def unauthorized() -> web.Response:
    return web.Response(status=401, text="401: Unauthorized", content_type="text/plain")


def is_authorized(tokens: set[str], request: web.Request) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>`` with a token the simulator accepts."""
    header = request.headers.get("Authorization", "")
    return header.startswith("Bearer ") and header[7:] in tokens


async def read_body(request: web.Request) -> Any:
    """The JSON body; None when empty, the string ``"invalid"`` when it is not JSON (callers answer 400)."""
    text = await request.text()
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return "invalid"
