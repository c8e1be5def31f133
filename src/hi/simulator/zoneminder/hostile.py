"""A hostile ZoneMinder: media answers meant to get something past a camera proxy.

Set ``sim.media.hostile`` to one of ``MODES``; every picture, clip and live stream the simulated portal
serves then misbehaves that way (the JSON API stays honest, so logging in and syncing still work):

- ``html``: ``text/html`` with a script, status 200 (what a login page or an injected page looks like)
- ``svg``: ``image/svg+xml`` with a script (an image type that runs code)
- ``lying``: declares the right type (JPEG, MP4 or MJPEG) but sends HTML
- ``wrong_type``: real JPEG bytes declared ``application/octet-stream`` / ``text/plain``
- ``multipart_html``: a ``multipart/x-mixed-replace`` stream whose parts are HTML
- ``endless``: the right type and magic bytes, then bytes without end (never a second frame)
- ``drip``: the right type and magic bytes, then one byte every 50 ms for ever
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from .media import camera_frame

MODES = ("html", "svg", "lying", "wrong_type", "multipart_html", "endless", "drip")
SCRIPT_HTML = b"<!DOCTYPE html><html><body><script>document.title='pwned'</script></body></html>"
SCRIPT_SVG = (b"<svg xmlns='http://www.w3.org/2000/svg'><script>document.title='pwned'</script>"
              b"<rect width='10' height='10'/></svg>")
BOUNDARY = "ZoneMinderFrame"
_MAGIC = {"picture": b"\xff\xd8\xff\xe0", "video": b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00"}
_TYPES = {"picture": "image/jpeg", "video": "video/mp4", "stream": f"multipart/x-mixed-replace;boundary={BOUNDARY}"}


def _part(content_type: str, body: bytes) -> bytes:
    return f"--{BOUNDARY}\r\nContent-Type: {content_type}\r\n\r\n".encode() + body + b"\r\n"


async def _forever(request: web.Request, content_type: str, head: bytes, chunk: bytes, pause: float) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": content_type})
    await response.prepare(request)
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        await response.write(head)
        while True:
            await response.write(chunk)
            await asyncio.sleep(pause)
    return response


async def hostile_answer(request: web.Request, mode: str, kind: str) -> web.StreamResponse:
    """The misbehaving answer for a ``kind`` ("picture", "video" or "stream") request."""
    if mode == "html":
        return web.Response(body=SCRIPT_HTML, content_type="text/html")
    if mode == "svg":
        return web.Response(body=SCRIPT_SVG, content_type="image/svg+xml")
    if mode == "lying":
        body = _part("image/jpeg", SCRIPT_HTML) if kind == "stream" else SCRIPT_HTML
        return web.Response(body=body, headers={"Content-Type": _TYPES[kind]})
    if mode == "wrong_type":
        declared = "text/plain" if kind == "stream" else "application/octet-stream"
        return web.Response(body=camera_frame(1, 1), headers={"Content-Type": declared})
    if mode == "multipart_html":
        return web.Response(body=_part("text/html", SCRIPT_HTML) * 3, headers={"Content-Type": _TYPES["stream"]})
    if mode in ("endless", "drip"):
        if kind == "stream":
            head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n\r\n".encode() + b"\xff\xd8\xff\xe0"
        else:
            head = _MAGIC[kind]
        chunk, pause = (b"\x00" * 65536, 0.0) if mode == "endless" else (b"\x00", 0.05)
        return await _forever(request, _TYPES[kind], head, chunk, pause)
    raise ValueError(f"unknown hostile mode {mode!r}")
