"""In Chromium against a real ZoneMinder 1.36 (opt-in: ``HI_REAL_ZM=1`` after ``scripts/real-zoneminder.sh``):
a forced alarm becomes an event the hub's worker records, and its page shows the thumbnail and plays the
recording through the hub's proxy. Settings as in ``hi.services.zoneminder.tests.test_real_zoneminder``.
"""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from hi.apps.entity.enums import EntityType
from hi.apps.entity.models import Entity
from hi.apps.event.models import Event
from hi.integrations.client import reset_breakers, reset_metrics
from hi.integrations.models import Integration
from hi.services.zoneminder.zm_client import AsyncZoneMinderClient
from hi.services.zoneminder.zm_settings import settings_from

from .conftest import screenshot, sign_in, start_integration, wait_for

pytestmark = [
    pytest.mark.browser,
    pytest.mark.realsystem,
    pytest.mark.skipif(os.environ.get("HI_REAL_ZM") != "1", reason="set HI_REAL_ZM=1 to run against a real ZoneMinder"),
]

ATTRIBUTES = {  # as in hi.services.zoneminder.tests.test_real_zoneminder (the web app may not import the API app)
    "api_url": os.environ.get("HI_REAL_ZM_API", "http://127.0.0.1/zm/api"),
    "portal_url": os.environ.get("HI_REAL_ZM_PORTAL", "http://127.0.0.1/zm"),
    "username": os.environ.get("HI_REAL_ZM_USER", "admin"),
    "password": os.environ.get("HI_REAL_ZM_PASSWORD", "admin"),
    "timezone": os.environ.get("HI_REAL_ZM_TIMEZONE", ""),
}


async def _force_alarm(monitor_id: int, seconds: float) -> None:
    client = AsyncZoneMinderClient(settings_from(dict(ATTRIBUTES)))
    try:
        await client.alarm(monitor_id, "on")
        await asyncio.sleep(seconds)  # the length of the recording we then play back
        await client.alarm(monitor_id, "off")
    finally:
        await client.aclose()


def test_a_forced_alarm_plays_back_in_the_browser(browser_page, live_hub, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    reset_breakers()
    reset_metrics()
    page = browser_page
    start_integration("zoneminder", {k: v for k, v in ATTRIBUTES.items() if v})
    wait_for(lambda: Integration.objects.filter(integration_id="zoneminder", last_success_at__isnull=False).exists(),
             timeout=60, what="the first ZoneMinder poll")
    camera = Entity.objects.filter(integration_id="zoneminder", entity_type=EntityType.CAMERA).order_by("id").first()
    assert camera is not None, "the ZoneMinder needs at least one monitor"
    monitor_id = int(camera.integration_name.split(".")[1])
    before = set(Event.objects.filter(entity=camera).values_list("id", flat=True))
    started = time.monotonic()
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        pool.submit(asyncio.run, _force_alarm(monitor_id, 5.0)).result()
    wait_for(lambda: Event.objects.filter(entity=camera, end__isnull=False).exclude(id__in=before).exists(),
             timeout=90, what="the forced event, finished")
    event = Event.objects.filter(entity=camera).exclude(id__in=before).get()

    sign_in(page)
    page.goto("/events/?period=1h")
    page.wait_for_function(f"(() => {{ const i = document.querySelector(\"a[href='/events/{event.id}/'] img\");"
                           " return i && i.complete && i.naturalWidth > 0; })()")
    page.click(f"a[href='/events/{event.id}/'] img")
    player = page.wait_for_selector(".event-player")
    kind = player.get_attribute("data-player")
    if kind == "frames":
        page.click(".player-toggle")
        page.wait_for_function("Number(document.querySelector('.event-player').dataset.frame) >= 5", timeout=30000)
        page.wait_for_function("document.querySelector('.player-frame').naturalWidth > 0")
    else:
        assert kind == "video"
        page.wait_for_function("document.querySelector('video').readyState >= 1", timeout=30000)
    assert "token=" not in page.content() and ATTRIBUTES["password"] not in page.content()
    screenshot(page, "real-zoneminder-player")
    print(f"real ZoneMinder in the browser: event {event.details['event_id']} played as {kind} "
          f"({time.monotonic() - started:.1f} s)")
