"""One proxy for every camera picture and clip the hub relays: it trusts nothing the upstream says.

A camera server (or anyone on its plain-HTTP path) could answer a picture URL with HTML or SVG holding a
script; relayed with its own ``Content-Type`` that script would run in the hub's origin. So each endpoint
names the one kind of media it serves (``JPEG``, ``IMAGE``, ``MP4``); the answer must be declared as that
kind *and* start like it (magic bytes), must fit a size limit and arrive within a time limit. What the
browser gets carries our ``Content-Type`` (never the upstream's) and ``X-Content-Type-Options: nosniff``.
Anything else becomes a small error picture or a plain-text message, never the upstream's body.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from functools import lru_cache

import httpx
from django.http import HttpResponse, StreamingHttpResponse

from hi.utils.redaction import redact

logger = logging.getLogger("hi.integrations.media_proxy")


class MediaRefused(Exception):
    """The upstream's answer is not the media this endpoint serves (wrong type, wrong bytes, too big, too slow).

    ``maybe_auth``: the upstream refused us (401/403), redirected us (to a login page, say) or showed a page
    (HTML) where a login page would be, so renewing credentials once may help.
    """

    def __init__(self, message: str, *, maybe_auth: bool = False) -> None:
        super().__init__(message)
        self.maybe_auth = maybe_auth


def _is_jpeg(head: bytes) -> bool:
    return head.startswith(b"\xff\xd8\xff")


def _is_png(head: bytes) -> bool:
    return head.startswith(b"\x89PNG\r\n\x1a\n")


def _is_gif(head: bytes) -> bool:
    return head[:6] in (b"GIF87a", b"GIF89a")


def _is_webp(head: bytes) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _is_mp4(head: bytes) -> bool:
    return len(head) >= 12 and head[4:8] == b"ftyp"


@dataclass(frozen=True)
class MediaKind:
    """What one endpoint serves: the declared types it accepts and how each one's bytes must start."""

    name: str
    types: tuple[tuple[str, Callable[[bytes], bool]], ...]  # (content type, magic check), first is the default
    max_bytes: int
    seconds: float  # the whole answer must arrive within this

    def accepts(self, declared: str) -> str | None:
        """Our content type for an upstream's declared one (parameters ignored), or None if not allowed."""
        main = declared.split(";", 1)[0].strip().lower()
        main = "image/jpeg" if main == "image/jpg" else main
        return next((known for known, _ in self.types if known == main), None)

    def matches(self, content_type: str, head: bytes) -> bool:
        return any(known == content_type and check(head) for known, check in self.types)


JPEG = MediaKind("picture", (("image/jpeg", _is_jpeg),), max_bytes=8 * 1024 * 1024, seconds=15.0)
IMAGE = MediaKind("picture", (("image/jpeg", _is_jpeg), ("image/png", _is_png), ("image/gif", _is_gif),
                              ("image/webp", _is_webp)), max_bytes=8 * 1024 * 1024, seconds=15.0)
MP4 = MediaKind("video", (("video/mp4", _is_mp4),), max_bytes=1024 * 1024 * 1024, seconds=30 * 60.0)
HEAD_BYTES = 16  # enough to recognise every kind above
# Limits by kind name, read at each call (tests shorten them; a kind bound as a default argument elsewhere
# would not see a replaced constant): ``{"picture": (max_bytes, seconds)}``.
LIMIT_OVERRIDES: dict[str, tuple[int, float]] = {}


def limits_of(kind: MediaKind) -> tuple[int, float]:
    return LIMIT_OVERRIDES.get(kind.name, (kind.max_bytes, kind.seconds))


@dataclass(frozen=True)
class Media:
    """Checked bytes with the type we will declare for them."""

    content: bytes
    content_type: str


def _check_declared(kind: MediaKind, upstream: httpx.Response, label: str) -> str:
    if upstream.status_code not in (200, 206):
        where = upstream.headers.get("Location", "")[:80] if upstream.is_redirect else ""
        raise MediaRefused(f"{label}: upstream answered HTTP {upstream.status_code}{' to ' + where if where else ''}",
                           maybe_auth=upstream.status_code in (401, 403) or upstream.is_redirect)
    declared = upstream.headers.get("Content-Type", "")
    content_type = kind.accepts(declared)
    if content_type is None:
        raise MediaRefused(f"{label}: upstream declared {declared[:60]!r}, not a {kind.name}",
                           maybe_auth=declared.lower().startswith("text/html"))
    length = upstream.headers.get("Content-Length", "")
    most = limits_of(kind)[0]
    if length.isdigit() and int(length) > most:
        raise MediaRefused(f"{label}: upstream announced {length} bytes, over the {most} limit")
    return content_type


async def fetch_media(http: httpx.AsyncClient, request: httpx.Request, kind: MediaKind, label: str,
                      *, max_bytes: int | None = None, seconds: float | None = None) -> Media:
    """The whole answer to ``request`` as checked ``kind`` media, or ``MediaRefused`` (the body is never kept).

    The limits are on the whole answer: an endless body stops at ``max_bytes``, a slow drip at ``seconds``
    (a per-read timeout alone lets one byte every few seconds through for ever).
    """
    default_bytes, default_seconds = limits_of(kind)
    limit = max_bytes or default_bytes
    seconds = seconds or default_seconds
    try:
        async with asyncio.timeout(seconds):
            async with http.stream(request.method, request.url, headers=request.headers) as upstream:
                content_type = _check_declared(kind, upstream, label)
                if upstream.status_code != 200:
                    raise MediaRefused(f"{label}: upstream answered a partial {upstream.status_code}")
                body = bytearray()
                async for chunk in upstream.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise MediaRefused(f"{label}: upstream sent more than {limit} bytes")
    except TimeoutError as exc:
        raise MediaRefused(f"{label}: upstream did not finish within {seconds:g} s") from exc
    except httpx.HTTPError as exc:
        raise MediaRefused(f"{label}: {redact(exc)}") from exc
    if not kind.matches(content_type, bytes(body[:HEAD_BYTES])):
        raise MediaRefused(f"{label}: the body does not start like {content_type}")
    return Media(bytes(body), content_type)


def media_response(media: Media, *, cache_seconds: int = 0) -> HttpResponse:
    """Checked media for the browser: our type, nosniff, and a private cache lifetime (0: no-store)."""
    response = HttpResponse(media.content, content_type=media.content_type)
    harden(response, cache_seconds)
    return response


def harden(response: HttpResponse, cache_seconds: int = 0) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = f"private, max-age={cache_seconds}" if cache_seconds > 0 else "no-store"
    return response


_RANGE_HEADERS = ("Content-Length", "Content-Range", "Accept-Ranges")


async def relay_media(http: httpx.AsyncClient, request: httpx.Request, kind: MediaKind, label: str,
                      *, seconds: float | None = None, max_bytes: int | None = None) -> HttpResponse:
    """Stream a large answer (a recorded clip) through, checked like ``fetch_media`` but never held whole.

    Byte ranges pass (seeking in a video needs them): a range from byte 0 has its first bytes checked;
    a later range is only accepted when the upstream's ``Content-Range`` agrees with what was asked.
    """
    default_bytes, default_seconds = limits_of(kind)
    seconds = seconds or default_seconds
    deadline = asyncio.get_running_loop().time() + seconds
    limit = max_bytes or default_bytes
    try:
        async with asyncio.timeout(seconds):
            upstream = await http.send(request, stream=True)
    except (httpx.HTTPError, TimeoutError) as exc:
        await http.aclose()
        return refusal(MediaRefused(f"{label}: {redact(exc) or 'no answer in time'}"), kind)
    try:
        content_type = _check_declared(kind, upstream, label)
        chunks = upstream.aiter_raw()
        head = b""
        asked = request.headers.get("Range", "")
        from_start = upstream.status_code == 200 or asked.replace(" ", "").startswith("bytes=0-")
        if upstream.status_code == 206 and not upstream.headers.get("Content-Range", "").startswith("bytes "):
            raise MediaRefused(f"{label}: a partial answer without a byte range")
        if from_start:
            async with asyncio.timeout(max(0.1, deadline - asyncio.get_running_loop().time())):
                async for chunk in chunks:
                    head += chunk
                    if len(head) >= HEAD_BYTES:
                        break
            if not kind.matches(content_type, head[:HEAD_BYTES]):
                raise MediaRefused(f"{label}: the body does not start like {content_type}")
    except (MediaRefused, TimeoutError, httpx.HTTPError) as exc:
        await upstream.aclose()
        await http.aclose()
        reason = exc if isinstance(exc, MediaRefused) else MediaRefused(f"{label}: {redact(exc) or 'too slow'}")
        return refusal(reason, kind)

    async def relay() -> AsyncIterator[bytes]:
        sent = len(head)
        try:
            if head:
                yield head
            loop = asyncio.get_running_loop()
            async with asyncio.timeout_at(deadline):
                async for chunk in chunks:
                    sent += len(chunk)
                    if sent > limit:
                        logger.warning("%s: over %d bytes; cut", label, limit)
                        return
                    if loop.time() > deadline:  # also checked here: a cancellation can be lost in the
                        raise TimeoutError      # transport's own timeout scopes while a drip keeps arriving
                    yield chunk
        except TimeoutError:
            logger.warning("%s: not finished within its time limit; cut", label)
        except httpx.HTTPError as exc:
            logger.info("%s ended: %s", label, redact(exc))
        finally:
            await upstream.aclose()
            await http.aclose()

    body = relay()
    response = StreamingHttpResponse(body, content_type=content_type, status=upstream.status_code)
    close_with_response(response, body)
    for name in _RANGE_HEADERS:
        value = upstream.headers.get(name, "")
        if value and all(c.isalnum() or c in " -/*" for c in value):
            response[name] = value
    return harden(response)


def close_with_response(response: HttpResponse, relay: AsyncGenerator[bytes, None],
                        *callbacks: Callable[[], None]) -> None:
    """When Django closes ``response``, end ``relay`` too (and run ``callbacks``, e.g. a stream slot's release).

    A client that goes away while the relay waits on the upstream cancels it; one that goes away while
    the relay sits at a ``yield`` leaves it suspended until garbage collection, holding the upstream
    connection. Django calls ``close()`` (possibly from a worker thread) either way, so the relay's
    ``finally`` is scheduled on its own loop from here.
    """
    loop = asyncio.get_running_loop()

    def end_relay() -> None:
        if relay.ag_running or relay.ag_frame is None:
            return  # running (a cancellation ends it) or already finished
        task = loop.create_task(relay.aclose())
        task.add_done_callback(lambda done: done.cancelled() or done.exception())

    def closed() -> None:
        for callback in callbacks:
            callback()
        if not loop.is_closed():
            loop.call_soon_threadsafe(end_relay)

    response._resource_closers.append(closed)  # Django's own list of things to close with the response


def refusal(exc: MediaRefused, kind: MediaKind) -> HttpResponse:
    """What the browser gets instead: an error picture for pictures, a plain message otherwise (never upstream's)."""
    logger.warning("refused: %s", redact(exc))
    if kind.name == "picture":
        return error_picture()
    return harden(HttpResponse(f"The camera's {kind.name} is not available.", status=502,
                               content_type="text/plain; charset=utf-8"))


@lru_cache(maxsize=1)
def _error_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (320, 180), (48, 52, 58))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 319, 179), outline=(120, 120, 120))
    draw.text((96, 82), "no picture", fill=(220, 220, 220))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=70)
    return out.getvalue()


def error_picture(status: int = 502) -> HttpResponse:
    """A small grey 'no picture' JPEG (an <img> shows it; its status says it is not the camera's)."""
    return harden(HttpResponse(_error_jpeg(), status=status, content_type="image/jpeg"))
