"""Recorded events through the proxy: thumbnails (disk-cached), frames, the MP4 with ranges, the media JSON.

Events are recorded the real way (the simulator's events polled by the monitor into hub Events), then
fetched by a signed-in browser and by a script with an API token; no URL a browser sees holds a secret.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.test import AsyncClient

from hi.apps.access.testing import issue_token
from hi.apps.api.serializers import event_json
from hi.apps.event.models import Event
from hi.integrations import thumbnail_cache
from hi.integrations.exceptions import IntegrationError
from hi.services.zoneminder.integration import ZoneMinderGateway

from .conftest import Poller, at, events
from .test_proxy import assert_no_secret

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path) -> None:
    settings.ROOT_URLCONF = "hi.services.zoneminder.tests.urls"
    settings.DATA_DIR = tmp_path  # a thumbnail cache of this test's own


@pytest_asyncio.fixture
async def recorded(poller: Poller) -> AsyncIterator[dict[str, Event]]:
    """A frames-only event on monitor 1 (Modect), a video event on monitor 3 (Mocord), one still open on 2."""
    simulator = poller.sim
    simulator.state.add_event(1, at(30, simulator), at(20, simulator), score=70)
    simulator.state.add_event(3, at(30, simulator), at(18, simulator), score=50)
    simulator.state.start_event(2, at(5, simulator))
    await poller.poll()
    by_monitor = {event.details["monitor_id"]: event for event in await events()}
    yield {"frames": by_monitor[1], "video": by_monitor[3], "open": by_monitor[2]}


@pytest_asyncio.fixture
async def browser() -> AsyncClient:
    user = await sync_to_async(get_user_model().objects.create_user)("viewer", password="pw-for-tests")
    client = AsyncClient()
    await client.aforce_login(user)
    return client


def _media(event: Event) -> dict:
    event = Event.objects.select_related("entity").get(pk=event.pk)
    return event_json(event)["media"]


async def test_event_json_names_proxied_media_by_what_zoneminder_stored(recorded):
    frames, video, live = [await sync_to_async(_media)(recorded[k]) for k in ("frames", "video", "open")]
    zm_id = recorded["frames"].details["event_id"]
    assert frames == {"thumbnail": f"/zoneminder/monitors/1/events/{zm_id}/thumbnail.jpg",
                      "playback": f"/zoneminder/monitors/1/events/{zm_id}/frames/{{frame}}.jpg",
                      "playback_type": "frames"}
    assert video["playback_type"] == "video" and video["playback"].endswith("/video.mp4")
    assert live["playback_type"] == "live" and live["playback"] == "/zoneminder/monitors/2/stream"


async def test_thumbnail_comes_from_zoneminder_once_then_from_the_disk_cache(recorded, browser, poller):
    sim = poller.sim
    path = (await sync_to_async(_media)(recorded["frames"]))["thumbnail"]
    first = await browser.get(path)
    assert first.status_code == 200 and first["Content-Type"] == "image/jpeg"
    assert first["X-Content-Type-Options"] == "nosniff" and first.content.startswith(b"\xff\xd8\xff")
    asked = [p for _, p in sim.request_log if "fid=snapshot" in p]
    assert len(asked) == 1 and "width=320" in asked[0]
    again = await browser.get(path)
    assert again.content == first.content
    assert len([p for _, p in sim.request_log if "fid=snapshot" in p]) == 1  # served from the cache
    assert thumbnail_cache.cache_dir().is_dir() and any(thumbnail_cache.cache_dir().iterdir())
    assert_no_secret(sim, path, str(dict(first.headers)))


async def test_frames_play_one_by_one_and_a_frame_past_the_end_is_the_error_picture(recorded, browser):
    media = await sync_to_async(_media)(recorded["frames"])
    frame_count = recorded["frames"].details["frames"]
    assert frame_count > 10
    pictures = [await browser.get(media["playback"].format(frame=n)) for n in (1, 2, frame_count)]
    assert all(p.status_code == 200 and p["Content-Type"] == "image/jpeg" for p in pictures)
    assert len({p.content for p in pictures}) == 3  # different frames
    past = await browser.get(media["playback"].format(frame=frame_count + 1))
    assert past.status_code == 502 and past["Content-Type"] == "image/jpeg"


async def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    if response.streaming:
        return b"".join([chunk async for chunk in response.streaming_content])
    return response.content


async def test_the_video_is_an_mp4_with_byte_ranges_for_seeking(recorded, browser):
    path = (await sync_to_async(_media)(recorded["video"]))["playback"]
    whole = await browser.get(path)
    assert whole.status_code == 200 and whole["Content-Type"] == "video/mp4"
    body = await _body(whole)
    assert body[4:8] == b"ftyp" and len(body) == int(whole["Content-Length"])
    part = await browser.get(path, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(body)}"
    assert await _body(part) == body[100:200]
    saved = await browser.get(path + "?download=1")
    assert saved["Content-Disposition"].startswith("attachment;")
    await _body(saved)


async def test_a_frames_only_event_has_no_video(recorded, browser):
    zm_id = recorded["frames"].details["event_id"]
    response = await browser.get(f"/zoneminder/monitors/1/events/{zm_id}/video.mp4")
    assert response.status_code == 502 and response["Content-Type"].startswith("text/plain")


async def test_media_work_with_an_api_token_and_not_without_one(recorded, poller):
    plain = await sync_to_async(issue_token)("camera script", role="viewer")
    path = (await sync_to_async(_media)(recorded["frames"]))["thumbnail"]
    script = AsyncClient()
    token = {"Authorization": f"Bearer {plain}"}
    assert (await script.get(path, headers=token)).status_code == 200
    assert (await script.get("/zoneminder/monitors/1/snapshot.jpg", headers=token)).status_code == 200
    wrong = await script.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401
    anonymous = await AsyncClient().get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


async def test_events_we_did_not_record_are_not_served(recorded, browser, poller):
    zm_id = recorded["frames"].details["event_id"]
    other_monitor = await browser.get(f"/zoneminder/monitors/2/events/{zm_id}/thumbnail.jpg")
    unknown = await browser.get("/zoneminder/monitors/1/events/9999/thumbnail.jpg")
    assert other_monitor.status_code == 404 and unknown.status_code == 404
    assert not any("eid=9999" in p for _, p in poller.sim.request_log)


async def test_the_gateway_gives_checked_picture_bytes_for_an_event_or_the_camera_now(recorded, poller):
    event = await Event.objects.select_related("entity").aget(pk=recorded["frames"].pk)
    gateway = ZoneMinderGateway()
    of_event = await gateway.fetch_event_thumbnail(event.entity, event)
    of_camera = await gateway.fetch_picture(event.entity)
    assert of_event is not None and of_event.content.startswith(b"\xff\xd8\xff")
    assert of_camera is not None and of_camera.content_type == "image/jpeg" and of_camera.content != of_event.content
    poller.sim.media.hostile = "html"  # a camera answering HTML costs the picture (an error), never passes it on
    with pytest.raises(IntegrationError):
        await gateway.fetch_picture(event.entity)
