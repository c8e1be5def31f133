"""Relaying a camera's live MJPEG stream to the browser, written once for every integration's proxy.

The upstream connection is closed however the relay ends (client gone, peer gone, shutdown, a limit hit).
Only MJPEG is relayed, checked rather than believed: the answer must be declared
``multipart/x-mixed-replace`` with a plain boundary, its first part must be declared ``image/jpeg`` and
start with JPEG's magic bytes, and afterwards a boundary must come within ``max_frame_bytes`` and
``frame_seconds`` (an endless part or a slow drip ends the relay). The browser gets our own
``Content-Type`` (the boundary re-stated, nothing else of the upstream's) and ``nosniff``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
from django.http import HttpResponse, StreamingHttpResponse

from hi.utils.redaction import redact

from .media_proxy import close_with_response, harden

MJPEG = "multipart/x-mixed-replace"
_BOUNDARY = re.compile(r"""boundary="?([A-Za-z0-9'()+_,.\-]{1,70})"?""", re.IGNORECASE)
_PART_TYPE = re.compile(rb"content-type:\s*image/jpe?g\s*(?:;[^\r\n]*)?\r?\n", re.IGNORECASE)


@dataclass(frozen=True)
class StreamLimits:
    """How much a live stream may send without a new frame, and how long the first frame may take."""

    max_frame_bytes: int = 4 * 1024 * 1024
    frame_seconds: float = 20.0


DEFAULT_LIMITS = StreamLimits()


def _refused(message: str) -> HttpResponse:
    return harden(HttpResponse(message, status=502, content_type="text/plain; charset=utf-8"))


def _first_part_ok(buffer: bytes, boundary: bytes) -> bool | None:
    """True: a JPEG part; False: something else; None: not enough bytes yet to say."""
    start = buffer.find(boundary)
    if start < 0:
        return None
    headers_end = buffer.find(b"\r\n\r\n", start)
    if headers_end < 0:
        return None
    headers = buffer[start + len(boundary):headers_end + 2]
    body = buffer[headers_end + 4:headers_end + 7]
    if len(body) < 3:
        return None
    return bool(_PART_TYPE.search(headers)) and body == b"\xff\xd8\xff"


async def relay_mjpeg(upstream: httpx.Response, http: httpx.AsyncClient, label: str,
                      logger: logging.Logger, limits: StreamLimits | None = None,
                      on_close: Callable[[], None] | None = None) -> HttpResponse:
    """Stream ``upstream`` (an open, streamed 200 answer) to the browser, or refuse it if it is not MJPEG.

    ``on_close`` runs once when the upstream is closed (a stream slot given back), however that happens.
    """

    limits = limits or DEFAULT_LIMITS

    async def close() -> None:
        try:
            await upstream.aclose()
            await http.aclose()
        finally:
            if on_close is not None:
                on_close()

    declared = upstream.headers.get("Content-Type", "")
    found = _BOUNDARY.search(declared)
    if not declared.lower().startswith(MJPEG) or found is None:
        await close()
        logger.warning("%s answered %r instead of a live picture; refused", label, declared[:60])
        return _refused("The camera answered with something that is not a live picture.")
    boundary = found.group(1)
    marker = b"--" + boundary.encode()
    chunks = upstream.aiter_raw()
    buffer = b""
    try:
        async with asyncio.timeout(limits.frame_seconds):
            verdict = None
            while verdict is None:
                chunk = await anext(chunks)
                buffer += chunk
                verdict = _first_part_ok(buffer, marker)
                if verdict is None and len(buffer) > limits.max_frame_bytes:
                    verdict = False
    except (TimeoutError, StopAsyncIteration, httpx.HTTPError) as exc:
        verdict = False
        logger.warning("%s: no first frame (%s); refused", label, redact(exc) or type(exc).__name__)
    if not verdict:
        await close()
        logger.warning("%s: the first part is not a JPEG picture; refused", label)
        return _refused("The camera answered with something that is not a live picture.")

    async def relay() -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        tail = b""
        since_frame = 0
        last_frame = loop.time()
        chunk = buffer  # what was read to check the first part goes through the same limits
        try:
            while True:
                window = tail + chunk
                position = window.rfind(marker)
                if position >= 0:
                    since_frame = len(window) - position
                    last_frame = loop.time()
                else:
                    since_frame += len(chunk)
                if since_frame > limits.max_frame_bytes:
                    logger.warning("%s: a frame over %d bytes; ended", label, limits.max_frame_bytes)
                    return
                tail = window[-len(marker):]
                yield chunk
                remaining = last_frame + limits.frame_seconds - loop.time()
                async with asyncio.timeout(max(0.01, remaining)):  # unlike 3.11's wait_for, never eats a cancel
                    chunk = await anext(chunks)
        except StopAsyncIteration:
            return
        except TimeoutError:
            logger.warning("%s: no frame for %g s; ended", label, limits.frame_seconds)
        except httpx.HTTPError as exc:
            logger.info("%s ended: %s", label, redact(exc))
        finally:
            await close()

    body = relay()
    result = StreamingHttpResponse(body, content_type=f"{MJPEG}; boundary={boundary}")
    close_with_response(result, body, *([on_close] if on_close is not None else []))
    return harden(result)
