"""A hostile ZoneMinder (HTML, SVG, lying and wrong types, endless bodies, slow drip) gets nothing through.

The simulator's portal answers every picture, clip and stream with the chosen misbehaviour over a real
socket; the proxy must answer with its own error picture or plain message, never the upstream's bytes,
and within its limits (which the tests shorten so an endless or dripping body is cut quickly).
"""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import AsyncClient

from hi.integrations import media_proxy, media_relay
from hi.simulator.zoneminder.hostile import MODES, SCRIPT_HTML, SCRIPT_SVG

from .conftest import Poller, at, events

pytestmark = pytest.mark.django_db(transaction=True)
SCRIPT_BITS = (b"<script", b"<svg", b"<html", SCRIPT_HTML, SCRIPT_SVG)


@pytest.fixture(autouse=True)
def _short_limits(settings, tmp_path, monkeypatch) -> None:
    settings.ROOT_URLCONF = "hi.services.zoneminder.tests.urls"
    settings.DATA_DIR = tmp_path
    for kind in ("picture", "video"):
        monkeypatch.setitem(media_proxy.LIMIT_OVERRIDES, kind, (256 * 1024, 1.5))
    monkeypatch.setattr(media_relay, "DEFAULT_LIMITS", media_relay.StreamLimits(max_frame_bytes=256 * 1024,
                                                                                  frame_seconds=1.5))


async def _paths(poller: Poller) -> dict[str, str]:
    sim = poller.sim
    sim.state.add_event(3, at(30, sim), at(20, sim), score=60)  # Mocord: has a video
    await poller.poll()
    zm_id = (await events(3))[0].details["event_id"]
    base = f"/zoneminder/monitors/3/events/{zm_id}"
    return {"snapshot": "/zoneminder/monitors/3/snapshot.jpg", "thumbnail": f"{base}/thumbnail.jpg",
            "frame": f"{base}/frames/1.jpg", "video": f"{base}/video.mp4", "stream": "/zoneminder/monitors/3/stream"}


async def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    """The whole body: a relayed stream must end by itself (its limits), well within the test's patience."""
    if not response.streaming:
        return response.content
    received = b""
    async with asyncio.timeout(15):
        async for chunk in response.streaming_content:
            received += chunk
    return received


@pytest.mark.parametrize("mode", MODES)
async def test_every_endpoint_refuses_each_hostile_answer(poller, mode):
    paths = await _paths(poller)
    user = await sync_to_async(get_user_model().objects.create_user)("viewer", password="pw-for-tests")
    browser = AsyncClient()
    await browser.aforce_login(user)
    poller.sim.media.hostile = mode
    for name, path in paths.items():
        response = await browser.get(path)
        body = await _body(response)
        if mode in ("endless", "drip") and name in ("video", "stream") and response.status_code == 200:
            # it starts like the right media, so relaying begins; the limits then cut it (the read above ended)
            assert response["Content-Type"] in ("video/mp4", "multipart/x-mixed-replace; boundary=ZoneMinderFrame")
            assert len(body) <= 256 * 1024 + 65536 + 64, (mode, name, len(body))
            continue
        assert response.status_code in (404, 502), (mode, name, response.status_code)
        assert response["X-Content-Type-Options"] == "nosniff"
        declared = response["Content-Type"]
        assert declared == "image/jpeg" or declared.startswith("text/plain"), (mode, name, declared)
        assert not any(bit in body for bit in SCRIPT_BITS), (mode, name)
        assert len(body) < 64 * 1024, (mode, name)  # our error picture or message, not the endless body
