"""Event player, timeline thumbnails and the camera wall, from events recorded off a simulated ZoneMinder."""
# ruff: noqa: F811 - the ZoneMinder fixtures are imported by name and used as arguments

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import AsyncClient

from hi.integrations.stream_limits import StreamLimiter, reset_limiter
from hi.services.zoneminder.tests.conftest import at, events, imported, poller, sim  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    yield reset_limiter(StreamLimiter(total=2, per_camera=1))
    reset_limiter()


async def _browser() -> AsyncClient:
    user = await sync_to_async(get_user_model().objects.create_user)("viewer", password="pw-for-tests")
    client = AsyncClient()
    await client.aforce_login(user)
    return client


async def _record(poller) -> dict[int, int]:  # type: ignore[no-untyped-def]
    sim = poller.sim
    sim.state.add_event(1, at(40, sim), at(30, sim), score=70)
    sim.state.add_event(3, at(40, sim), at(28, sim), score=50)
    sim.state.start_event(2, at(5, sim))
    await poller.poll()
    return {e.details["monitor_id"]: e.id for e in await events()}


async def test_each_event_page_has_the_player_its_recording_allows(poller):
    ids = await _record(poller)
    browser = await _browser()
    frames = (await browser.get(f"/events/{ids[1]}/")).content.decode()
    assert 'data-player="frames"' in frames and "/frames/{frame}.jpg" in frames and "Play" in frames
    video = (await browser.get(f"/events/{ids[3]}/")).content.decode()
    assert 'data-player="video"' in video and "video.mp4" in video and "Download video" in video
    live = (await browser.get(f"/events/{ids[2]}/")).content.decode()
    assert 'data-player="live"' in live and "recording" in live and "/zoneminder/monitors/2/stream" in live
    for page in (frames, video, live):
        assert "token=" not in page and poller.sim.password not in page


async def test_the_timeline_and_the_camera_page_show_thumbnails_linking_to_the_player(poller):
    ids = await _record(poller)
    browser = await _browser()
    timeline = (await browser.get("/events/?period=all")).content.decode()
    assert timeline.count('class="event-thumb"') == 3
    assert f'href="/events/{ids[1]}/"' in timeline
    cameras = (await browser.get("/cameras/")).content.decode()
    assert "/thumbnail.jpg" in cameras and "Camera wall" in cameras


async def test_the_wall_lists_every_camera_with_its_last_event_and_the_caps(poller):
    await _record(poller)
    browser = await _browser()
    wall = (await browser.get("/cameras/wall/")).content.decode()
    assert wall.count('class="card h-100 wall-tile') == 4
    assert "up to 2 at once, 1 per camera" in wall
    assert wall.count('class="wall-thumb"') == 3 and "No motion recorded" in wall
    status = await browser.get("/cameras/streams.json")
    assert status.json() == {"total": 2, "per_camera": 1, "in_use": 0, "by_camera": {}, "viewers": 0}


async def test_live_streams_over_the_caps_are_refused_and_slots_return_when_streams_end(poller):
    await _record(poller)
    browser = await _browser()
    first = await browser.get("/zoneminder/monitors/1/stream")
    assert first.status_code == 200
    same_camera = await browser.get("/zoneminder/monitors/1/stream")
    assert same_camera.status_code == 429 and "this camera" in same_camera.content.decode()
    second = await browser.get("/zoneminder/monitors/2/stream")
    third = await browser.get("/zoneminder/monitors/3/stream")
    assert second.status_code == 200 and third.status_code == 429
    assert (await browser.get("/cameras/streams.json")).json()["in_use"] == 2
    for response in (first, second):  # as Django's ASGI handler does when the browser goes away
        await anext(response.streaming_content)
        await sync_to_async(response.close)()
    await sync_to_async(poller.sim.media.wait_open_streams)(lambda n: n == 0)
    assert (await browser.get("/cameras/streams.json")).json()["in_use"] == 0
