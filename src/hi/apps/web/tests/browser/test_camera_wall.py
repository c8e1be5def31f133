"""In Chromium: the camera wall keeps to the stream caps and leaves no upstream connection behind; the event
player replays frames.

Upstream connections are counted where they end, in the simulated ZoneMinder (``media.open_streams``):
the wall opens exactly as many live streams as the cap allows, and they all close when the tab is
hidden (the page's ``visibilitychange`` handler, fired here with ``document.hidden`` forced true because
headless Chromium has no tab strip to hide it) and again when the page is left; a wall restored from the
back/forward cache starts them again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model

from hi.apps.access.testing import PASSWORD
from hi.apps.entity.enums import EntityType
from hi.apps.event.models import Event
from hi.integrations.client import reset_breakers, reset_metrics
from hi.integrations.models import Integration
from hi.integrations.stream_limits import StreamLimiter, reset_limiter
from hi.simulator.zoneminder import ZoneMinderSimulator

from .conftest import chromium_page, log_in, screenshot, start_integration, wait_for

pytestmark = pytest.mark.browser
HIDE = """() => {
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""
LIVE = "document.querySelector('#live-indicator .live-text').textContent === 'live'"
SHOW = """() => {
  Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
  Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


@pytest.fixture
def zoneminder(settings, tmp_path) -> Iterator[ZoneMinderSimulator]:
    settings.DATA_DIR = tmp_path
    reset_breakers()
    reset_metrics()
    reset_limiter(StreamLimiter(total=3, per_camera=1))
    simulator = ZoneMinderSimulator(motion=False, seed_history=False)
    with simulator.running_in_thread():
        yield simulator
    reset_limiter()
    reset_breakers()


def _start_and_poll(zoneminder: ZoneMinderSimulator) -> None:
    start_integration("zoneminder", zoneminder.integration_attributes())
    wait_for(lambda: Integration.objects.filter(integration_id="zoneminder", last_success_at__isnull=False).exists(),
             what="the first ZoneMinder poll")  # events from before it are history, not imported


def _log_in(page) -> None:  # type: ignore[no-untyped-def]
    get_user_model().objects.create_user("alice", password=PASSWORD)
    log_in(page)


def test_the_wall_streams_up_to_the_cap_and_drops_every_stream_when_hidden_or_left(browser_page, live_hub, zoneminder):
    page = browser_page
    _start_and_poll(zoneminder)
    now = dt.datetime.now(dt.UTC)
    zoneminder.state.add_event(1, now - dt.timedelta(seconds=40), now - dt.timedelta(seconds=28), score=80)
    wait_for(lambda: Event.objects.filter(entity__entity_type=EntityType.CAMERA, end__isnull=False).exists(),
             what="a recorded motion event")
    _log_in(page)

    page.goto("/cameras/wall/")
    page.wait_for_function("document.querySelectorAll('.wall-tile[data-mode]').length === 4")
    assert page.locator(".wall-tile[data-mode=live]").count() == 3
    assert "Live limit reached (3 streams)" in page.inner_text(".wall-tile[data-mode=snapshot] .wall-note")
    assert zoneminder.media.wait_open_streams(lambda n: n == 3) == 3
    page.wait_for_function("Array.from(document.querySelectorAll('.wall-tile .wall-frame'))"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    page.wait_for_function("document.querySelector('.wall-thumb') && document.querySelector('.wall-thumb').naturalWidth > 0")
    assert zoneminder.password not in page.content() and "token=" not in page.content()
    screenshot(page, "camera-wall")

    # Chromium cancels a dropped image load from a task of its own: give a loaded machine time (awaited, not slept)
    page.evaluate(HIDE)
    assert zoneminder.media.wait_open_streams(lambda n: n == 0, timeout=30) == 0  # no orphaned upstream connection
    page.evaluate(SHOW)
    assert zoneminder.media.wait_open_streams(lambda n: n == 3, timeout=30) == 3
    page.goto("/events/?period=all")
    assert zoneminder.media.wait_open_streams(lambda n: n == 0, timeout=30) == 0
    assert zoneminder.media.streams_started == 6


def test_the_wall_comes_back_live_when_the_browser_restores_it_from_its_back_forward_cache(live_hub, zoneminder):
    """Back to the wall from other pages: Chromium (its back/forward cache on) shows the page kept in memory instead
    of loading it again. The streams stopped on the way out start again — once, though Chromium says both "visible"
    and "shown" — and stop again on leaving; the kept pages hold no live stream open, so the next page still loads
    (a browser opens at most six connections to the hub).

    Not covered: the ``pageshow`` handler alone (visibilitychange silenced, as in a browser that restores a page
    without one). Chromium fires both on a restore; with one silenced, a restored tile now and then stayed without
    its stream on a loaded machine (1 run in 5), a cause not yet found."""
    _start_and_poll(zoneminder)
    with chromium_page(live_hub.url, bfcache=True) as page:
        _log_in(page)
        page.goto("/cameras/wall/")
        page.wait_for_function("document.querySelectorAll('.wall-tile[data-live]').length === 3")
        assert zoneminder.media.wait_open_streams(lambda n: n == 3) == 3
        page.evaluate("() => { window.hiKeptInCache = true; }")  # gone if the page is loaded again
        page.goto("/weather/")
        assert zoneminder.media.wait_open_streams(lambda n: n == 0, timeout=30) == 0
        page.goto("/events/")
        page.go_back(wait_until="commit")  # a page restored from the cache fires no "load"
        page.go_back(wait_until="commit")
        assert page.evaluate("() => window.hiKeptInCache === true"), "the wall was loaded again, not restored"
        page.wait_for_function("document.querySelectorAll('.wall-tile[data-live]').length === 3")
        assert zoneminder.media.wait_open_streams(lambda n: n == 3, timeout=30) == 3
        page.wait_for_function(LIVE)  # its live updates reconnected (closed while it was kept away)
        page.goto("/weather/")  # not queued behind connections held by the pages kept in the cache
        assert zoneminder.media.wait_open_streams(lambda n: n == 0, timeout=30) == 0
        assert zoneminder.media.streams_started == 6


@pytest.fixture
def six_cameras(settings, tmp_path) -> Iterator[ZoneMinderSimulator]:
    settings.DATA_DIR = tmp_path
    reset_limiter(StreamLimiter(total=8, per_camera=2))  # the hub would allow more than a browser can hold
    simulator = ZoneMinderSimulator(motion=False, seed_history=False, monitor_count=6)
    with simulator.running_in_thread():
        yield simulator
    reset_limiter()


def test_a_page_holds_at_most_four_live_tiles_so_the_browser_keeps_connections_to_navigate(
        browser_page, live_hub, six_cameras):
    page = browser_page
    _start_and_poll(six_cameras)
    _log_in(page)
    page.goto("/cameras/wall/")
    page.wait_for_function("document.querySelectorAll('.wall-tile[data-mode]').length === 6")
    assert page.locator(".wall-tile[data-mode=live]").count() == 4
    assert "Live on 4 tiles at a time" in page.inner_text(".wall-tile[data-mode=snapshot] .wall-note")
    assert six_cameras.media.wait_open_streams(lambda n: n == 4) == 4
    page.goto("/events/?period=all", timeout=10_000)  # not queued behind the live pictures
    assert six_cameras.media.wait_open_streams(lambda n: n == 0, timeout=30) == 0


def test_the_player_replays_a_recorded_event_frame_by_frame(browser_page, live_hub, zoneminder):
    page = browser_page
    _start_and_poll(zoneminder)
    now = dt.datetime.now(dt.UTC)
    zoneminder.state.add_event(1, now - dt.timedelta(seconds=40), now - dt.timedelta(seconds=30), score=80)
    wait_for(lambda: Event.objects.filter(entity__entity_type=EntityType.CAMERA, end__isnull=False).exists(),
             what="a recorded motion event")
    event = Event.objects.get(entity__entity_type=EntityType.CAMERA)
    _log_in(page)

    page.goto("/events/?period=all")
    page.click(f"a[href='/events/{event.id}/'] img.event-thumb")
    page.wait_for_selector(".event-player[data-player=frames]")
    frames = int(page.get_attribute(".event-player", "data-frames"))
    assert frames == event.details["frames"] > 10
    page.select_option(".player-speed", "4")
    page.click(".player-toggle")
    page.wait_for_function("Number(document.querySelector('.event-player').dataset.frame) >= 6")
    page.click(".player-toggle")  # pause
    page.fill(".player-seek", str(frames))
    page.wait_for_function(f"document.querySelector('.event-player').dataset.frame === '{frames}'")
    page.wait_for_function("document.querySelector('.player-frame').complete "
                           "&& document.querySelector('.player-frame').naturalWidth > 0")
    assert page.inner_text(".player-position") == f"{frames} / {frames}"
    assert page.get_attribute(".player-download", "href").endswith(f"/frames/{frames}.jpg")
    screenshot(page, "event-player")
