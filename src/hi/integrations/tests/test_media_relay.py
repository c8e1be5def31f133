"""The live-picture relay: MJPEG is streamed through with nosniff; any other answer is refused and closed."""

from __future__ import annotations

import logging

import httpx

from hi.integrations.media_relay import relay_mjpeg

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
