"""End to end against a real ZoneMinder 1.36 (opt-in: ``HI_REAL_ZM=1`` after ``scripts/real-zoneminder.sh``).

Import, a forced alarm becoming one closed Event, a function change confirmed by the next poll,
a snapshot through our proxy, and the forced event played back through the hub (its thumbnail, then
its MP4 or every stored frame, each checked for type). Settings come from ``HI_REAL_ZM_API``, ``HI_REAL_ZM_PORTAL``,
``HI_REAL_ZM_USER``, ``HI_REAL_ZM_PASSWORD`` (defaults match the script).
"""

from __future__ import annotations

import asyncio
import os
import time

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient

from hi.apps.access.testing import make_user
from hi.apps.api.serializers import event_json
from hi.apps.control.dispatch import dispatch_control
from hi.apps.control.models import ControllerHistory
from hi.apps.entity.models import Entity
from hi.apps.event.models import Event
from hi.apps.monitor.context import WorkerContext
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration, IntegrationAttribute
from hi.integrations.sync.engine import run_sync
from hi.services.zoneminder.integration import ZoneMinderGateway
from hi.services.zoneminder.monitors import ZoneMinderMonitor
from hi.services.zoneminder.zm_client import AsyncZoneMinderClient
from hi.services.zoneminder.zm_settings import settings_from

pytestmark = [
    pytest.mark.realsystem,
    pytest.mark.skipif(os.environ.get("HI_REAL_ZM") != "1", reason="set HI_REAL_ZM=1 to run against a real ZoneMinder"),
    pytest.mark.django_db(transaction=True),
]
ATTRIBUTES = {
    "api_url": os.environ.get("HI_REAL_ZM_API", "http://127.0.0.1/zm/api"),
    "portal_url": os.environ.get("HI_REAL_ZM_PORTAL", "http://127.0.0.1/zm"),
    "username": os.environ.get("HI_REAL_ZM_USER", "admin"),
    "password": os.environ.get("HI_REAL_ZM_PASSWORD", "admin"),
    "timezone": os.environ.get("HI_REAL_ZM_TIMEZONE", ""),
}


@pytest.fixture(autouse=True)
def _proxy_urls(settings) -> None:
    settings.ROOT_URLCONF = "hi.services.zoneminder.tests.urls"


def _configure() -> None:
    integration, _ = Integration.objects.update_or_create(integration_id="zoneminder", defaults={
        "status": IntegrationStatus.ACTIVE, "config_version": 1})
    for key, value in ATTRIBUTES.items():
        IntegrationAttribute.objects.update_or_create(integration=integration, key=key, defaults={"value": value})


async def _poll_until(monitor: ZoneMinderMonitor, context: WorkerContext, check, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await monitor.poll(context)
        if await sync_to_async(check)():
            return
        await asyncio.sleep(1.0)
    raise AssertionError("ZoneMinder did not get there in time")


async def _play_back(browser: AsyncClient, event: Event) -> None:
    """The forced event through the hub: its thumbnail, then its video or every frame, each of the right type."""
    event = await Event.objects.select_related("entity").aget(pk=event.pk)
    media = (await sync_to_async(event_json)(event))["media"]
    print(f"forced event {event.details['event_id']}: {event.details.get('frames')} frames, "
          f"{event.duration_seconds:.1f} s, playback {media['playback_type']}")
    thumbnail = await browser.get(media["thumbnail"])
    assert thumbnail.status_code == 200 and thumbnail["Content-Type"] == "image/jpeg"
    assert thumbnail.content.startswith(b"\xff\xd8\xff")
    if media["playback_type"] == "video":
        video = await browser.get(media["playback"])
        body = b"".join([chunk async for chunk in video.streaming_content])
        assert video.status_code == 200 and video["Content-Type"] == "video/mp4" and body[4:8] == b"ftyp"
        assert len(body) > 10_000, "a few seconds of video"
        print(f"played back: an MP4 of {len(body)} bytes")
        return
    assert media["playback_type"] == "frames"
    frames = event.details["frames"]
    received = 0
    for number in range(1, frames + 1):
        frame = await browser.get(media["playback"].format(frame=number))
        if frame.status_code == 200:
            assert frame["Content-Type"] == "image/jpeg" and frame.content.startswith(b"\xff\xd8\xff")
            received += 1
    print(f"played back: {received} of {frames} frames as JPEGs")
    assert received >= max(1, frames // 2), "most of the event's frames play back"


async def test_real_zoneminder_end_to_end():
    started = time.monotonic()
    result = await sync_to_async(ZoneMinderGateway().test_connection)(ATTRIBUTES, 10)
    assert result.ok, result.message
    await sync_to_async(_configure)()
    await sync_to_async(run_sync)("zoneminder")
    camera = await Entity.objects.filter(integration_id="zoneminder", entity_type="camera").afirst()
    assert camera is not None, "the ZoneMinder needs at least one monitor"
    monitor_id = int(camera.integration_name.split(".")[1])

    attributes = dict(ATTRIBUTES)
    monitor = ZoneMinderMonitor()
    monitor.prepare(attributes)
    context = WorkerContext("zoneminder", attributes)
    client = AsyncZoneMinderClient(settings_from(attributes))
    try:
        await monitor.poll(context)  # sets the cursor after the existing history
        await client.edit_monitor(monitor_id, function="Nodect")  # no motion detection: only our forced alarm
        await asyncio.sleep(3)  # zmdc restarts the monitor's processes
        await client.alarm(monitor_id, "on")
        await asyncio.sleep(4)
        await client.alarm(monitor_id, "off")

        def closed_forced_event() -> bool:
            return Event.objects.filter(entity=camera, end__isnull=False, details__cause__icontains="forced").exists()

        await _poll_until(monitor, context, closed_forced_event, seconds=90)
        event = await Event.objects.filter(entity=camera, details__cause__icontains="forced").afirst()
        assert event is not None and event.duration_seconds is not None and event.duration_seconds > 0
        assert event.details["frames"] is not None

        record = await sync_to_async(dispatch_control)(f"zoneminder:monitor.{monitor_id}.function", "Monitor",
                                                       "test:realsystem")
        assert record.outcome in ("sent", "confirmed"), record.message

        def confirmed() -> bool:
            return ControllerHistory.objects.get(pk=record.pk).outcome == "confirmed"

        await _poll_until(monitor, context, confirmed, seconds=30)
        await client.edit_monitor(monitor_id, function="Nodect")

        user = await sync_to_async(make_user)("zm-real", password="pw-for-tests")
        browser = AsyncClient()
        await browser.aforce_login(user)
        snapshot = await browser.get(f"/zoneminder/monitors/{monitor_id}/snapshot.jpg")
        assert snapshot.status_code == 200 and snapshot.content.startswith(b"\xff\xd8")
        await _play_back(browser, event)
    finally:
        await monitor.close()
        await client.aclose()
    print(f"real ZoneMinder end-to-end: {time.monotonic() - started:.1f} s")
