"""The camera proxy of the simulated Home Assistant: ``/api/camera_proxy`` (one JPEG) and
``/api/camera_proxy_stream`` (MJPEG), both behind the token as in HA.

Each camera draws a picture of its own (its position among the cameras). ``sim.camera_answer`` makes the
picture route answer with something else (a hostile or broken server); ``sim.last_camera_picture`` is what
it served last, for tests that compare a stored snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from aiohttp import web

from ..zoneminder.media import camera_frame
from .responses import is_authorized, json_response, unauthorized

MJPEG_BOUNDARY = "frame"
MJPEG_FRAME_SECONDS = 0.2
MJPEG_MAX_FRAMES = 3000  # ten minutes, then the stream ends as a restarting camera's would


def camera_index(sim: Any, request: web.Request) -> int | None:
    """Which camera (its position among the cameras, for a picture of its own); None if none by that id."""
    entity_id = request.match_info["entity_id"]
    cameras = sorted(e for e in sim.store.states if e.startswith("camera."))
    return cameras.index(entity_id) + 1 if entity_id in cameras else None


async def camera_picture(sim: Any, request: web.Request) -> web.StreamResponse:
    """``/api/camera_proxy/<entity_id>``: one JPEG, behind the token, as Home Assistant serves it."""
    if not is_authorized(sim.tokens, request):
        return unauthorized()
    index = camera_index(sim, request)
    if index is None:
        return json_response({"message": "Entity not found."}, 404)
    if sim.camera_answer is not None:
        content_type, body = sim.camera_answer
        return web.Response(body=body, headers={"Content-Type": content_type})
    sim.camera_frames += 1
    sim.last_camera_picture = camera_frame(index, sim.camera_frames)
    return web.Response(body=sim.last_camera_picture, content_type="image/jpeg")


async def camera_stream(sim: Any, request: web.Request) -> web.StreamResponse:
    """``/api/camera_proxy_stream/<entity_id>``: MJPEG frames until the client goes away."""
    if not is_authorized(sim.tokens, request):
        return unauthorized()
    index = camera_index(sim, request)
    if index is None:
        return json_response({"message": "Entity not found."}, 404)
    response = web.StreamResponse(headers={"Content-Type": f"multipart/x-mixed-replace;boundary={MJPEG_BOUNDARY}"})
    await response.prepare(request)
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        for frame in range(MJPEG_MAX_FRAMES):
            jpeg = camera_frame(index, frame)
            await response.write(f"--{MJPEG_BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                                 f"Content-Length: {len(jpeg)}\r\n\r\n".encode() + jpeg + b"\r\n")
            await asyncio.sleep(MJPEG_FRAME_SECONDS)
    return response
