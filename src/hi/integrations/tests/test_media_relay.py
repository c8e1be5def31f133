"""The live-picture relay: MJPEG is streamed through with nosniff; any other answer is refused and closed."""

from __future__ import annotations

import asyncio
import logging

import httpx

from hi.integrations.media_relay import StreamLimits, relay_mjpeg

logger = logging.getLogger("test.media_relay")
PART = b"--frame\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff\xd9\r\n"


def _peer(content_type: str, body: bytes) -> httpx.AsyncClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": content_type}, stream=httpx.ByteStream(body))
    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


async def _relay(content_type: str, body: bytes):
    http = _peer(content_type, body)
    upstream = await http.send(http.build_request("GET", "http://camera.test/stream"), stream=True)
    return await relay_mjpeg(upstream, http, "test camera", logger), upstream, http


async def test_mjpeg_is_relayed_whole_with_nosniff_and_the_upstream_closed_after() -> None:
    response, upstream, http = await _relay("multipart/x-mixed-replace; boundary=frame", PART * 3)
    assert response["Content-Type"] == "multipart/x-mixed-replace; boundary=frame"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join([chunk async for chunk in response.streaming_content]) == PART * 3
    assert upstream.is_closed and http.is_closed


async def test_an_html_answer_is_refused_and_never_reaches_the_browser(caplog) -> None:
    response, upstream, http = await _relay("text/html", b"<script>alert(1)</script>")
    assert response.status_code == 502
    assert response["Content-Type"].startswith("text/plain")
    assert b"<script>" not in response.content
    assert upstream.is_closed and http.is_closed
    assert "text/html" in caplog.text


async def test_a_multipart_answer_whose_first_part_is_not_a_jpeg_is_refused() -> None:
    html_part = b"--frame\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>\r\n"
    response, upstream, http = await _relay("multipart/x-mixed-replace; boundary=frame", html_part * 2)
    assert response.status_code == 502 and b"<script>" not in response.content
    lying_part = b"--frame\r\nContent-Type: image/jpeg\r\n\r\n<script>alert(1)</script>\r\n"
    response, upstream, http = await _relay("multipart/x-mixed-replace; boundary=frame", lying_part)
    assert response.status_code == 502 and upstream.is_closed and http.is_closed


async def test_no_boundary_is_refused_and_an_endless_part_ends_the_relay() -> None:
    response, _, _ = await _relay("multipart/x-mixed-replace", PART)
    assert response.status_code == 502
    endless = PART + b"--frame\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff" + b"\x00" * 200_000
    http = _peer("multipart/x-mixed-replace; boundary=frame", endless)
    upstream = await http.send(http.build_request("GET", "http://camera.test/stream"), stream=True)
    released = []
    response = await relay_mjpeg(upstream, http, "test camera", logger, StreamLimits(max_frame_bytes=50_000),
                                 on_close=lambda: released.append(True))
    body = b"".join([chunk async for chunk in response.streaming_content])
    assert len(body) < 120_000 and upstream.is_closed and released == [True]


class _Frames(httpx.AsyncByteStream):
    """An upstream that sends a frame whenever the test puts one in ``queue``."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        while True:
            yield await self.queue.get()


async def test_a_viewer_leaving_as_a_frame_arrives_still_ends_the_relay() -> None:
    """The client's disconnect (a cancel) and the next frame can land in one turn of the loop. The relay must
    still end: ASGI servers drop writes to a gone client silently, so a relay that swallowed the cancel would
    hold the camera's stream until the camera ended it (Python 3.11's ``asyncio.wait_for`` did just that)."""
    frames = _Frames()
    frames.queue.put_nowait(PART)
    http = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(
        200, headers={"Content-Type": "multipart/x-mixed-replace; boundary=frame"}, stream=frames)))
    upstream = await http.send(http.build_request("GET", "http://camera.test/stream"), stream=True)
    response = await relay_mjpeg(upstream, http, "test camera", logger)
    body = aiter(response.streaming_content)
    assert await anext(body) == PART

    async def viewer() -> None:
        async for _ in body:
            pass

    watching = asyncio.create_task(viewer())
    await asyncio.sleep(0)  # the relay now waits for the next frame
    frames.queue.put_nowait(PART)
    watching.cancel()  # the same turn of the loop: the viewer leaves as the frame arrives
    await asyncio.wait({watching}, timeout=5)  # waiting on the task this way does not cancel it again
    assert watching.cancelled() and upstream.is_closed and http.is_closed
