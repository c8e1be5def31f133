"""Create a long-lived access token on a freshly installed Home Assistant (for end-to-end tests).

The onboarding API creates the owner and returns an auth code; ``/auth/token`` turns it into a short
access token; over the WebSocket ``auth/long_lived_access_token`` makes the token a test keeps.
"""

from __future__ import annotations

import json

import httpx
import websockets

from hi.integrations.exceptions import AuthenticationError, RequestError

from .websocket import websocket_url


async def create_long_lived_token(base_url: str, *, username: str = "hi", password: str = "hi-e2e-password",
                                  timeout: float = 30.0) -> str:
    """Onboard the owner user and return a long-lived token (only works once per fresh instance)."""
    base = base_url.rstrip("/")
    client_id = base + "/"
    async with httpx.AsyncClient(base_url=base, timeout=timeout) as http:
        created = await http.post("/api/onboarding/users", json={
            "client_id": client_id, "name": "hi", "username": username, "password": password,
            "language": "en"})
        if created.status_code != 200:
            raise RequestError(f"onboarding refused ({created.status_code}): {created.text[:200]}")
        code = created.json()["auth_code"]
        granted = await http.post("/auth/token", data={"grant_type": "authorization_code", "code": code,
                                                       "client_id": client_id})
        if granted.status_code != 200:
            raise AuthenticationError(f"token exchange refused ({granted.status_code})")
        access_token = granted.json()["access_token"]
    async with websockets.connect(websocket_url(base), max_size=None, open_timeout=timeout) as ws:
        await ws.recv()
        await ws.send(json.dumps({"type": "auth", "access_token": access_token}))
        if json.loads(await ws.recv()).get("type") != "auth_ok":
            raise AuthenticationError("the fresh access token was refused")
        await ws.send(json.dumps({"id": 1, "type": "auth/long_lived_access_token", "client_name": "hi e2e",
                                  "lifespan": 3650}))
        answer = json.loads(await ws.recv())
    if not answer.get("success"):
        raise RequestError(f"no long-lived token: {answer.get('error')}")
    return str(answer["result"])
