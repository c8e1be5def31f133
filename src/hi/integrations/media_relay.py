"""Relaying a camera's live MJPEG stream to the browser, written once for every integration's proxy.

The upstream connection is closed however the relay ends (client gone, peer gone, shutdown), and only
an MJPEG answer is relayed: a peer that answers with another type (HTML, SVG, script) is refused, so
nothing it sends runs in the hub's origin.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
from django.http import HttpResponse, StreamingHttpResponse

from hi.utils.redaction import redact

MJPEG = "multipart/x-mixed-replace"


async def relay_mjpeg(upstream: httpx.Response, http: httpx.AsyncClient, label: str,
                      logger: logging.Logger) -> HttpResponse:
    """Stream ``upstream`` (an open, streamed 200 answer) to the browser, or refuse it if it is not MJPEG."""
    content_type = upstream.headers.get("Content-Type", "")
    if not content_type.lower().startswith(MJPEG):
        await upstream.aclose()
        await http.aclose()
        logger.warning("%s answered %r instead of a live picture; refused", label, content_type[:60])
        return HttpResponse("The camera answered with something that is not a live picture.", status=502,
                            content_type="text/plain; charset=utf-8")

    async def relay() -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.aiter_raw():
                yield chunk
        except httpx.HTTPError as exc:
            logger.info("%s ended: %s", label, redact(exc))
        finally:
            await upstream.aclose()
            await http.aclose()

    result = StreamingHttpResponse(relay(), content_type=content_type)
    result["Cache-Control"] = "no-store"
    result["X-Content-Type-Options"] = "nosniff"
    return result
