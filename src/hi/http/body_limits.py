"""Request body limits enforced in the ASGI layer, before anything is buffered (``wsgi_body_limits`` is the WSGI
twin: the same route classes and limits, from here).

Django's ASGI handler spools the whole body to a temporary file before a view runs, so a view's own
size check comes after the disk has filled. This middleware wraps the ASGI application (``hi.asgi``)
and decides per route class:

- a declared ``Content-Length`` over the limit is answered 413 at once, without reading the body
  (uvicorn stops reading the socket at its 64 KB flow-control mark; ``Connection: close`` then drops it);
- a chunked or otherwise undeclared body is counted as it streams in and cut off at the limit: the
  client gets 413 and the application sees a disconnect, so Django abandons the request.

Route classes (longest prefix wins, see :func:`limit_for`): uploads (floor plans, attribute files) get
``HI_MAX_UPLOAD_BYTES``; login pages and webhooks are small; everything else (forms, API JSON) gets
``HI_MAX_BODY_BYTES``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("hi.http.body_limits")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

KIB = 1024
MIB = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    """Byte limits per route class; read from settings by :func:`limits_from_settings`."""

    default: int = 1 * MIB
    upload: int = 16 * MIB
    small: int = 16 * KIB
    webhook: int = 1 * MIB


# (pattern over the path, class name): the first that matches decides.
ROUTE_CLASSES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/places/\d+/plan/upload$"), "upload"),
    (re.compile(r"^/entities/\d+/attributes/add$"), "upload"),
    (re.compile(r"^/attributes/\d+/edit$"), "upload"),
    (re.compile(r"^/api/v1/locations/\d+/plan$"), "upload"),  # JSON carrying a base64 drawing
    (re.compile(r"^/api/v1/webhooks/"), "webhook"),
    (re.compile(r"^/(admin/)?login/$"), "small"),
)


def route_class(path: str) -> str:
    """The class of a request path: ``upload``, ``webhook``, ``small`` or ``default``."""
    for pattern, name in ROUTE_CLASSES:
        if pattern.match(path):
            return name
    return "default"


def limit_for(path: str, limits: Limits) -> int:
    return int(getattr(limits, route_class(path)))


def limits_from_settings() -> Limits:
    """The limits configured in Django settings (``HI_MAX_BODY_BYTES`` and friends), else the defaults."""
    from django.conf import settings

    base = Limits()
    return Limits(default=getattr(settings, "HI_MAX_BODY_BYTES", base.default),
                  upload=getattr(settings, "HI_MAX_UPLOAD_BYTES", base.upload),
                  small=getattr(settings, "HI_MAX_SMALL_BODY_BYTES", base.small),
                  webhook=getattr(settings, "HI_MAX_WEBHOOK_BYTES", base.webhook))


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def refusal(path: str, limit: int) -> tuple[str, bytes]:
    """The 413's content type and body: JSON ``{"detail", "limit"}`` under ``/api/``, a sentence elsewhere
    (the ASGI and the WSGI middleware answer alike)."""
    if path.startswith("/api/"):
        return "application/json", json.dumps({"detail": f"request body larger than {limit} bytes",
                                               "limit": limit}).encode()
    return "text/plain; charset=utf-8", f"Request body larger than {limit} bytes.\n".encode()


async def _refuse(send: Send, path: str, limit: int) -> None:
    """A 413 that closes the connection (the unread rest of the body must not be parsed as a request)."""
    content_type, body = refusal(path, limit)
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """ASGI middleware refusing request bodies over their route class's limit (see the module docstring)."""

    def __init__(self, app: ASGIApp, limits: Limits | Callable[[], Limits] = limits_from_settings) -> None:
        self.app = app
        self._limits = limits

    def limits(self) -> Limits:
        return self._limits if isinstance(self._limits, Limits) else self._limits()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = limit_for(path, self.limits())
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            logger.warning("refused %s %s: Content-Length %d over the %d-byte limit",
                           scope.get("method"), path, declared, limit)
            await _refuse(send, path, limit)
            return
        state = {"read": 0, "refused": False, "started": False}

        async def limited_receive() -> Message:
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    state["refused"] = True
                    logger.warning("refused %s %s: body over the %d-byte limit", scope.get("method"), path, limit)
                    if not state["started"]:
                        await _refuse(send, path, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return  # the 413 has been sent; whatever the application says now is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)
