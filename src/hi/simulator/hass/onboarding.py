"""Onboarding and the token grant of the simulated Home Assistant: how a fresh HA gets its owner and
hi gets a token (``hi.services.hass.client.onboarding`` drives exactly these two steps).

``/api/onboarding/users`` creates the owner once and answers with a one-time auth code;
``/auth/token`` (authorization-code grant) turns that code into an access token the simulator accepts.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from .responses import json_response, read_body

OWNER_FIELDS = frozenset({"client_id", "name", "username", "password", "language"})


async def onboard_user(sim: Any, request: web.Request) -> web.Response:
    """Onboarding's first step: create the owner once, answer with an auth code."""
    body = await read_body(request)
    if sim.onboarded:
        return json_response({"message": "User step already done"}, 403)
    if not isinstance(body, dict) or not set(body) >= OWNER_FIELDS:
        return json_response({"message": "Message format incorrect"}, 400)
    sim.onboarded = True
    code = secrets.token_hex(16)
    sim.auth_codes.add(code)
    return json_response({"auth_code": code})


async def auth_token(sim: Any, request: web.Request) -> web.Response:
    """The authorization-code grant: a one-time code becomes an access token."""
    form = await request.post()
    code = str(form.get("code", ""))
    if form.get("grant_type") != "authorization_code" or code not in sim.auth_codes:
        return json_response({"error": "invalid_request"}, 400)
    sim.auth_codes.discard(code)
    token = secrets.token_urlsafe(32)
    sim.tokens.add(token)
    return json_response({"access_token": token, "token_type": "Bearer", "expires_in": 1800,
                         "refresh_token": secrets.token_urlsafe(32)})
