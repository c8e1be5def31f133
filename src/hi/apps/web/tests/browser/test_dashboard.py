"""In Chromium, desktop and phone: the dashboard tells the truth when things fail, in local time, with
controls that fit — an outage shown live on an open page and cleared after recovery, a lock button,
controls disabled while their integration is away, the hub-unreachable banner, offline API docs, and
no sideways scrolling at phone width on any page."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
import threading
import zoneinfo

import pytest

from hi.apps.entity.models import Entity, EntityState
from hi.apps.event.models import Event
from hi.apps.sense.models import Sensor
from hi.apps.web.live_health import HEALTH_CHECK_SECONDS
from hi.integrations import lifecycle
from hi.integrations.client import reset_breakers, reset_metrics
from hi.integrations.enums import HealthStatus
from hi.integrations.models import Integration
from hi.simulator.weather import SIMULATOR as WeatherSimulator
from hi.simulator.zoneminder import ZoneMinderSimulator

from .conftest import screenshot, sign_in, start_integration, wait_for

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
# A page shows a health change at its next check; allow the check interval plus rendering time.
LIVE_WITHIN_MS = int((HEALTH_CHECK_SECONDS + 3) * 1000)


class CuttableLink:
    """A loopback TCP relay in front of the hub: ``cut()`` drops every connection and refuses new ones (the
    hub is unreachable from the browser), ``restore()`` listens again on the same port."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.base_events.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        threading.Thread(target=self.loop.run_forever, name="cuttable-link", daemon=True).start()
        self._call(self._listen())

    def _call(self, coro) -> object:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port, reuse_address=True)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self.writers |= {writer, upstream_writer}

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pump(reader, upstream_writer), pump(upstream_reader, writer))
        self.writers -= {writer, upstream_writer}

    async def _cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()

    def cut(self) -> None:
        self._call(self._cut())

    def restore(self) -> None:
        self._call(self._listen())

    def close(self) -> None:
        self._call(self._cut())
        self.loop.call_soon_threadsafe(self.loop.stop)


def _card(page, name: str):
    return page.locator(f"[data-entity-id]:has(a.entity-name:text-is('{name}'))").first


def test_lock_button_unavailable_controls_and_the_hub_banner(browser_page, live_hub, hass_sim):
    page = browser_page
    start_integration("hass", hass_sim.integration_attributes())
    wait_for(lambda: Integration.objects.filter(integration_id="hass", last_success_at__isnull=False).exists(),
             what="Home Assistant's first contact")
    sign_in(page)
    page.goto("/?group=type")
    page.wait_for_selector("#live-indicator:has-text('live')")

    # A Home Assistant camera's own page shows its live picture through the proxy, never the token.
    camera = next(e for e in Entity.objects.filter(integration_id="hass", entity_type="camera")
                  if any(m.startswith("camera.") for m in (e.integration_payload or {}).get("entity_ids", [])))
    page.goto(f"/entities/{camera.id}/")
    page.wait_for_function("document.querySelector('#camera-picture') && "
                           "document.querySelector('#camera-picture').naturalWidth > 0")
    assert "/hass/cameras/camera." in page.get_attribute("#camera-picture", "src")
    assert hass_sim.token not in page.content()
    page.goto("/?group=type")
    page.wait_for_selector("#live-indicator:has-text('live')")

    # The lock card: Lock / Unlock only, never Jammed; one click, confirmed by Home Assistant.
    lock = _card(page, "Front door lock")
    assert lock.locator("button[value=jammed], option[value=jammed]").count() == 0
    lock.locator("button:text-is('Unlock')").click()
    lock.locator("[data-outcome=confirmed]").wait_for()
    assert hass_sim.state_of("lock.front_door")["state"] == "unlocked"
    lock.locator(".state-badge:has-text('Unlocked')").wait_for()

    # Pausing Home Assistant while the page is open greys its cards and disables their controls, live.
    porch = _card(page, "Porch")
    lifecycle.pause("hass")
    page.wait_for_selector("[data-entity-id].is-unavailable", timeout=LIVE_WITHIN_MS)
    assert "Home Assistant is paused" in porch.inner_text()
    assert porch.locator(".quick-toggle button").first.is_disabled()
    lifecycle.resume("hass")
    wait_for(lambda: Integration.objects.get(integration_id="hass").health_status == HealthStatus.HEALTHY,
             what="Home Assistant healthy again")
    page.wait_for_function("!document.querySelector('[data-entity-id].is-unavailable')", timeout=LIVE_WITHIN_MS)
    assert porch.locator(".quick-toggle button").first.is_enabled()

    # The hub itself unreachable: a plain banner, controls off; back by itself when the hub answers again.
    link = CuttableLink(int(live_hub.url.rsplit(":", 1)[1]))
    try:
        page.goto(f"http://127.0.0.1:{link.port}/?group=type")  # same host: the session cookie still applies
        page.wait_for_selector("#live-indicator:has-text('live')")
        porch = _card(page, "Porch")
        link.cut()
        page.wait_for_selector("#hub-banner:not([hidden])")
        assert "not answering" in page.inner_text("#hub-banner")
        assert porch.locator(".quick-toggle button").first.is_disabled()
        screenshot(page, "hub-unreachable")
        link.restore()
        page.wait_for_selector("#hub-banner", state="hidden", timeout=30000)
        page.wait_for_selector("#live-indicator:has-text('live')")
        assert porch.locator(".quick-toggle button").first.is_enabled()
    finally:
        link.close()


def test_an_outage_shows_live_on_open_pages_and_clears_after_recovery(browser_page, live_hub):
    reset_breakers()
    reset_metrics()
    zoneminder = ZoneMinderSimulator(motion=False, seed_history=True)
    with zoneminder.running_in_thread():
        start_integration("zoneminder", zoneminder.integration_attributes())
        wait_for(lambda: Integration.objects.filter(integration_id="zoneminder",
                                                    last_success_at__isnull=False).exists(), what="the first poll")
        page = browser_page
        sign_in(page)
        camera = Entity.objects.filter(integration_id="zoneminder", entity_type="camera").first()
        page.goto(f"/entities/{camera.id}/")  # a ZoneMinder camera's page shows a picture, not a path
        page.wait_for_function("document.querySelector('#camera-picture') && "
                               "document.querySelector('#camera-picture').naturalWidth > 0")
        assert "/zoneminder/monitors/" not in page.inner_text("main")
        integrations = page.context.new_page()
        integrations.goto("/integrations/")
        integrations.wait_for_selector("#live-indicator:has-text('live')")
        page.goto("/?group=type")
        page.wait_for_selector("#live-indicator:has-text('live')")

        zoneminder.faults.set("error_burst", status=503, count=100000)
        wait_for(lambda: Integration.objects.get(integration_id="zoneminder").health_status == HealthStatus.ERROR,
                 what="ZoneMinder's health to turn to error")
        page.wait_for_selector("[data-integration=zoneminder].is-unavailable", timeout=LIVE_WITHIN_MS)
        note = page.inner_text("[data-integration=zoneminder] .availability-note >> nth=0")
        assert re.search(r"ZoneMinder is unreachable since \d\d:\d\d", note), note
        integrations.wait_for_selector("[data-health-badge=zoneminder]:has-text('Error')", timeout=LIVE_WITHIN_MS)
        assert "503" in integrations.inner_text("[data-health-message=zoneminder]")
        assert "http://" not in integrations.inner_text("[data-health-message=zoneminder]")
        screenshot(page, "outage-home")

        zoneminder.faults.clear()
        wait_for(lambda: Integration.objects.get(integration_id="zoneminder").health_status == HealthStatus.HEALTHY,
                 timeout=60, what="ZoneMinder healthy again")
        page.wait_for_function("!document.querySelector('[data-integration=zoneminder].is-unavailable')",
                               timeout=LIVE_WITHIN_MS)
        integrations.wait_for_selector("[data-health-badge=zoneminder]:has-text('Healthy')", timeout=LIVE_WITHIN_MS)
        lifecycle.disable("zoneminder")
    reset_breakers()


def test_local_time_settings_and_offline_api_docs(browser_page, live_hub, monkeypatch):
    monkeypatch.delenv("HI_TIME_ZONE", raising=False)
    reset_breakers()
    weather = WeatherSimulator()
    with weather.running_in_thread():
        start_integration("weather", weather.integration_attributes())
        wait_for(lambda: EntityState.objects.filter(state_key="sunrise", value__isnull=False).exists(),
                 what="the weather's sunrise")
        page = browser_page
        sign_in(page)
        page.goto("/settings/")
        page.fill("#time-zone", "America/Chicago")
        page.click("#settings-time-zone button[type=submit]")
        page.wait_for_selector("[data-testid=time-zone-current]:text-is('America/Chicago')")

        chicago = zoneinfo.ZoneInfo("America/Chicago")
        sunrise = dt.datetime.fromisoformat(EntityState.objects.get(state_key="sunrise").value)
        page.goto("/weather/")
        assert sunrise.astimezone(chicago).strftime("%H:%M") in page.inner_text("main")
        assert sunrise.astimezone(dt.UTC).strftime("%H:%M") not in page.inner_text("main")

        station = Entity.objects.get(integration_id="weather")
        state = station.states.get(state_key="temperature")
        sensor = Sensor.objects.filter(entity_state=state).first()
        start = dt.datetime(2026, 11, 30, 18, 5, 7, tzinfo=dt.UTC)
        Event.objects.create(entity=station, entity_state=state, sensor=sensor, value="x", start=start,
                             end=start + dt.timedelta(minutes=2), duration_seconds=120)
        page.goto("/events/?period=all")
        assert "2026-11-30 12:05:07" in page.inner_text("table")  # 18:05 UTC is 12:05 in Chicago
        lifecycle.disable("weather")

    page.goto("/api/v1/docs")  # Swagger UI from the hub's own static files: there is no internet here
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)
    assert page.locator(".swagger-ui .opblock").count() > 5


def test_no_sideways_scrolling_at_phone_width(browser_page, live_hub, hass_sim):
    start_integration("hass", hass_sim.integration_attributes())
    page = browser_page
    sign_in(page)
    entity = Entity.objects.filter(integration_id="hass", states__controllers__isnull=False).first()
    Event.objects.create(entity=entity, entity_state=entity.states.first(), value="on",
                         start=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3), details={"cause": "Motion"})
    phone = page.context.browser.new_context(viewport=PHONE, base_url=live_hub.url,
                                             storage_state=page.context.storage_state())
    try:
        small = phone.new_page()
        for path in ("/", "/events/", "/cameras/", "/weather/", "/integrations/", "/health/", "/settings/",
                     f"/entities/{entity.id}/", "/integrations/hass/configure"):
            small.goto(path)
            small.wait_for_load_state("load")
            overflow = small.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            culprits = small.evaluate("""Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 390 px: {culprits}"
        small.goto("/?group=type")
        small.wait_for_selector("#live-indicator", state="attached")
        screenshot(small, "home-phone")
        small.goto("/health/")
        screenshot(small, "health-phone")
    finally:
        phone.close()
