"""The simulated portal's recorded media: ``index.php?view=image`` / ``view=view_video`` and event replay.

As ZoneMinder 1.36 answers them (docs/protocols/zoneminder-media.md): frames by 1-based number, or the
``snapshot`` (highest-score) / ``alarm`` (first alarmed) frame, optionally scaled with ``width``;
``view_video`` for events that have a ``DefaultVideo``, with ``Range`` answered 206; ``nph-zms`` with
``source=event`` replays frames as MJPEG and ends. A bad or missing token on ``index.php`` gets what
the real portal shows then: its login page as ``text/html`` with status 200, the trap a proxy must not
pass on. The MP4 is a structurally valid ISO-BMFF file (``ftyp``, ``free``, ``mdat`` holding the JPEG
frames) whose size grows with the event: enough for type checks, ranges and lengths, not a playable video.

``hostile`` (a mode name from ``hostile.py``) makes every media answer misbehave, for the proxy's tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import struct
import threading

from aiohttp import web

from .hostile import hostile_answer
from .media import camera_frame
from .state import SimEvent, ZoneMinderState

LOGIN_PAGE = (b"<!DOCTYPE html><html><head><title>ZM - Login</title></head><body>"
              b"<form method='post' action='?view=login'><input name='username'></form>"
              b"<script>console.log('zm login')</script></body></html>")
BOUNDARY = "ZoneMinderFrame"


def event_frame(event: SimEvent, frame: int, width: int | None = None) -> bytes:
    """Frame ``frame`` (1-based) of an event: the monitor's picture with the bar where it was then."""
    blocks = 20 if not width else max(2, min(int(width), 1920) // 8)
    return camera_frame(event.monitor_id, event.id * 7 + frame, width_blocks=blocks,
                        height_blocks=max(2, blocks * 3 // 4))


def event_video(event: SimEvent, frames: int) -> bytes:
    """ftyp + free + mdat(frames): an MP4 container shape whose size follows the event's length."""
    ftyp = b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    payload = b"".join(event_frame(event, n, 160) for n in range(1, min(frames, 600) + 1))
    boxes = [(b"ftyp", ftyp), (b"free", b""), (b"mdat", payload)]
    return b"".join(struct.pack(">I", len(body) + 8) + name + body for name, body in boxes)


class PortalMedia:
    """``/zm/index.php`` media views and the event replay of ``nph-zms``, counting open streams."""

    def __init__(self, state: ZoneMinderState) -> None:
        self.state = state
        self.hostile: str | None = None
        self.open_streams = 0
        self.streams_started = 0
        self.changed = threading.Condition()

    def stream_opened(self) -> None:
        with self.changed:
            self.open_streams += 1
            self.streams_started += 1
            self.changed.notify_all()

    def stream_closed(self) -> None:
        with self.changed:
            self.open_streams -= 1
            self.changed.notify_all()

    def wait_open_streams(self, check, timeout: float = 10.0) -> int:  # type: ignore[no-untyped-def]
        """Block until ``check(open_streams)`` holds (from any thread); returns the count, raises on timeout."""
        with self.changed:
            if not self.changed.wait_for(lambda: check(self.open_streams), timeout):
                raise TimeoutError(f"open streams stayed at {self.open_streams}")
            return self.open_streams

    async def index(self, request: web.Request) -> web.StreamResponse:
        if self.state.check_token(request.query.get("token")):
            return web.Response(body=LOGIN_PAGE, content_type="text/html")
        view = request.query.get("view", "")
        if view not in ("image", "view_video"):
            return web.Response(body=LOGIN_PAGE, content_type="text/html")
        if self.hostile:
            return await hostile_answer(request, self.hostile, "video" if view == "view_video" else "picture")
        try:
            event = self.state.visible_event(int(request.query.get("eid", "")))
        except ValueError:
            event = None
        if event is None:
            return web.Response(status=404, body=b"")
        with self.state.lock:
            frames = event.frame_count(self.state.now())
        if view == "view_video":
            return self._video(request, event, frames)
        fid = request.query.get("fid", "")
        if fid in ("snapshot", "alarm"):
            frame = max(1, frames // 2) if fid == "snapshot" else 1
        elif fid.isdigit() and 1 <= int(fid) <= frames:
            frame = int(fid)
        else:
            return web.Response(status=404, body=b"")
        width = request.query.get("width", "")
        jpeg = event_frame(event, frame, int(width) if width.isdigit() else None)
        return web.Response(body=jpeg, content_type="image/jpeg", headers={"Cache-Control": "max-age=86400"})

    def _video(self, request: web.Request, event: SimEvent, frames: int) -> web.Response:
        if not event.video:
            return web.Response(status=404, body=b"")
        body = event_video(event, frames)
        headers = {"Accept-Ranges": "bytes",
                   "Content-Disposition": f'inline; filename="{event.id}-video.mp4"'}
        asked = re.match(r"bytes=\s*(\d+)-(\d*)", request.headers.get("Range", ""))
        if asked:
            begin = int(asked.group(1))
            end = min(int(asked.group(2)) if asked.group(2) else len(body) - 1, len(body) - 1)
            if begin > end:
                return web.Response(status=416, body=b"")
            if begin > 0 or end < len(body) - 1:
                headers["Content-Range"] = f"bytes {begin}-{end}/{len(body)}"
                return web.Response(status=206, body=body[begin:end + 1], content_type="video/mp4", headers=headers)
        return web.Response(body=body, content_type="video/mp4", headers=headers)

    async def replay(self, request: web.Request, closing: asyncio.Event) -> web.StreamResponse:
        """``nph-zms?source=event&event=E[&frame=F][&rate=100][&maxfps=…]``: the event's frames, then the end."""
        try:
            event = self.state.visible_event(int(request.query.get("event", "")))
            first = max(1, int(request.query.get("frame", "1") or 1))
            rate = max(25, min(int(request.query.get("rate", "100") or 100), 1600)) / 100
        except ValueError:
            return web.Response(status=400, body=b"")
        if event is None:
            return web.Response(status=404, body=b"")
        with self.state.lock:
            frames = event.frame_count(self.state.now())
        response = web.StreamResponse(headers={"Content-Type": f"multipart/x-mixed-replace;boundary={BOUNDARY}"})
        await response.prepare(request)
        self.stream_opened()
        try:
            with contextlib.suppress(ConnectionError, asyncio.CancelledError, TimeoutError):
                for frame in range(first, frames + 1):
                    jpeg = event_frame(event, frame)
                    await response.write(f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}"
                                         "\r\n\r\n".encode() + jpeg + b"\r\n")
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0 / (event.fps * rate)):
                            await closing.wait()
                    if closing.is_set():
                        break
        finally:
            self.stream_closed()
        return response
