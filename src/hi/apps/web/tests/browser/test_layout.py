"""In Chromium: the header keeps every part on screen whatever the state (the hub unreachable, open alerts, the
mode switch, a long user name) at desktop and phone widths; the plans, alerts and rules pages at phone width scroll
only downwards and their controls stay whole and big enough to tap; the weather chart's hours are the household's,
whatever zone the browser is in."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth import get_user_model

from hi.apps.access.models import ApiToken
from hi.apps.alarm.engine import reset_engine
from hi.apps.alarm.rules import create_rule
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.models import EntityState
from hi.apps.entity.tests.factories import make_device
from hi.apps.places import operations, plans
from hi.apps.places.tests.svgs import floor_svg
from hi.apps.sense.pipeline import get_pipeline
from hi.integrations import lifecycle
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse
from hi.simulator.weather import SIMULATOR as WeatherSimulator

from .conftest import screenshot, sign_in, start_integration, wait_for
from .test_dashboard import PHONE, CuttableLink

pytestmark = pytest.mark.browser
LONG_NAME = "maximiliana.von-hohenstaufen-longname@example.org"
DESKTOPS = ({"width": 1280, "height": 800}, {"width": 1024, "height": 768}, {"width": 1920, "height": 1080})

# Parts of the page a person must be able to reach, with their boxes; and anything sticking out sideways.
_HEADER_BOXES = """() => {
  const width = document.documentElement.clientWidth;
  const boxes = {};
  for (const [name, selector] of Object.entries({signout: '.nav-signout', mode: '#mode-switch', live: '#live-indicator',
                                                 alerts: '#alert-count', last_link: '#nav .nav-link >> last'})) {
    const el = selector.endsWith('>> last') ? Array.from(document.querySelectorAll(selector.split(' >>')[0])).pop()
                                            : document.querySelector(selector);
    if (!el) { continue; }
    const r = el.getBoundingClientRect();
    boxes[name] = {left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height, visible: r.width > 0};
  }
  const broken = Array.from(document.querySelectorAll('#nav .nav-link')).filter(a => a.getClientRects().length > 1
    || a.getBoundingClientRect().height > 56).map(a => a.textContent.trim());
  return {width, overflow: document.documentElement.scrollWidth - width, boxes, broken};
}"""

_PAGE_CHECK = """() => {
  const width = document.documentElement.clientWidth;
  const controls = Array.from(document.querySelectorAll('main button, main a.btn, main input:not([type=hidden]), main select'))
    .filter(e => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden');
  const outside = controls.filter(e => { const r = e.getBoundingClientRect(); return r.left < -0.5 || r.right > width + 0.5; })
    .map(e => e.outerHTML.slice(0, 80));
  const small = controls.filter(e => e.matches('button, a.btn') && e.getBoundingClientRect().height < 30)
    .map(e => e.outerHTML.slice(0, 80));
  return {overflow: document.documentElement.scrollWidth - width, count: controls.length, outside, small};
}"""


def _open_alert() -> None:
    reset_engine()
    leak = make_device("Basement leak", S.MOISTURE, value="clear")
    create_rule({"name": "Water in the basement under the washing machine", "level": "critical",
                 "life_safety": True, "modes": [],
                 "conditions": [{"state": leak.state.pk, "op": "eq", "value": "detected"}]})
    get_pipeline().process([SensorResponse(IntegrationKey("test", "Basement leak"), "detected",
                                           dt.datetime.now(dt.UTC))])


def _assert_header_fits(page, where: str) -> None:
    found = page.evaluate(_HEADER_BOXES)
    assert found["overflow"] <= 0, f"{where}: the page scrolls sideways by {found['overflow']}px"
    assert not found["broken"], f"{where}: nav labels break over lines: {found['broken']}"
    for name in ("signout", "mode", "live", "alerts", "last_link"):
        box = found["boxes"].get(name)
        assert box and box["visible"], f"{where}: {name} is not shown"
        assert box["left"] >= 0 and box["right"] <= found["width"] + 0.5, f"{where}: {name} is cut off: {box}"


def test_the_header_keeps_every_part_on_screen_in_every_state(browser_page, live_hub):
    page = browser_page
    _open_alert()
    sign_in(page, LONG_NAME)
    link = CuttableLink(int(live_hub.url.rsplit(":", 1)[1]))
    try:
        base = f"http://127.0.0.1:{link.port}"
        for size in DESKTOPS:
            page.set_viewport_size(size)
            page.goto(f"{base}/alerts/")
            page.wait_for_selector("#live-indicator:has-text('live')")
            page.wait_for_selector("#alert-banner .alarm-alert")
            _assert_header_fits(page, f"{size['width']} px, live")
            signout = page.locator(".nav-signout")
            assert signout.get_attribute("title") == f"Sign out {LONG_NAME}"  # the whole name, when truncated
            link.cut()
            page.wait_for_selector("#hub-banner:not([hidden])")
            page.wait_for_selector("#live-indicator:has-text('reconnecting')")
            _assert_header_fits(page, f"{size['width']} px, hub down")
            if size["width"] == 1280:
                screenshot(page, "header-hub-down")
            link.restore()
            page.wait_for_selector("#hub-banner", state="hidden", timeout=30000)

        page.set_viewport_size(PHONE)  # the menu folds away; opened, it holds every part within the width
        page.goto(f"{base}/alerts/")
        page.wait_for_selector("#live-indicator", state="attached")
        link.cut()
        page.wait_for_selector("#hub-banner:not([hidden])")
        page.click(".navbar-toggler")
        page.wait_for_selector("#nav.show")
        page.wait_for_function("() => !document.querySelector('#nav').classList.contains('collapsing')")
        _assert_header_fits(page, "phone, hub down, menu open")
        page.locator(".nav-signout").click(trial=True)  # reachable: nothing covers it
        screenshot(page, "header-phone-menu")
        link.restore()
    finally:
        link.close()


def test_plans_alerts_and_rules_fit_a_phone_with_usable_controls(browser_page, live_hub):
    page = browser_page
    _open_alert()
    from hi.apps.alarm import notify

    notify.add_channel("household-mail-with-a-long-name", "mailto://someone:secret@example.org", min_level="warning")
    lamp = make_device("Hall lamp", S.ON_OFF, value="off", controllable=True)
    floor = operations.create_location("Ground floor")["id"]
    plans.save_plan(floor, floor_svg(1600, 900))
    plans.set_placements(floor, [{"entity_id": lamp.entity.id, "x": 1500, "y": 800}])
    sign_in(page)
    ApiToken.issue("a-script-with-a-long-name", user=get_user_model().objects.get(username="alice"))
    phone = page.context.browser.new_context(viewport=PHONE, base_url=page.url.rsplit("/", 1)[0],
                                             storage_state=page.context.storage_state(), has_touch=True)
    try:
        small = phone.new_page()
        for path in ("/places/", f"/places/{floor}/plan", f"/places/{floor}/plan/edit", "/alerts/", "/rules/",
                     "/rules/new", "/channels/", "/tokens/"):
            small.goto(path)
            small.wait_for_load_state("load")
            found = small.evaluate(_PAGE_CHECK)
            assert found["overflow"] <= 0, f"{path} scrolls sideways by {found['overflow']}px at 390 px"
            assert found["count"] > 0, f"{path} shows no controls"
            assert not found["outside"], f"{path}: controls cut off at the side: {found['outside']}"
            assert not found["small"], f"{path}: buttons too small to tap: {found['small']}"
        small.goto(f"/places/{floor}/plan")
        icon = small.locator(f".plan-thing[data-entity-id='{lamp.entity.id}']")
        box = icon.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # the plan fits the width
        icon.tap()
        small.wait_for_selector("#plan-panel-body .entity-panel .control-toggle button")
        small.wait_for_function("() => { const p = document.getElementById('plan-panel');"
                                " return p.classList.contains('show') && !p.classList.contains('showing'); }")
        toggle = small.locator("#plan-panel-body .control-toggle button").first.bounding_box()
        assert toggle and toggle["x"] + toggle["width"] <= PHONE["width"] and toggle["height"] >= 40
        screenshot(small, "plan-phone")
        small.goto("/rules/")
        screenshot(small, "rules-phone")
    finally:
        phone.close()


def test_the_weather_chart_hours_are_the_households(browser_page, live_hub, monkeypatch):
    monkeypatch.setenv("HI_TIME_ZONE", "America/Chicago")
    weather = WeatherSimulator()
    with weather.running_in_thread():
        start_integration("weather", weather.integration_attributes())
        wait_for(lambda: EntityState.objects.filter(state_key="forecast_hourly", value__isnull=False).exists(),
                 what="the hourly forecast")
        sign_in(browser_page)
        # A browser in Tokyo: neither its own zone nor UTC may leak into the household's chart.
        context = browser_page.context.browser.new_context(
            viewport={"width": 1280, "height": 800}, base_url=browser_page.url.rsplit("/", 1)[0],
            storage_state=browser_page.context.storage_state(), timezone_id="Asia/Tokyo")
        try:
            page = context.new_page()
            page.goto("/weather/")
            page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas.series-chart'))")
            shown = page.evaluate("""() => {
              const chart = Chart.getChart(document.querySelector('canvas[data-series=hourly-series]'));
              const x = chart.scales.x;
              const first = chart.getDatasetMeta(0)._parsed[0].x;
              return {first: x._adapter.format(first, 'HH:mm'), labels: x.ticks.map(t => t.label)};
            }""")
        finally:
            context.close()
        forecast = EntityState.objects.get(state_key="forecast_hourly").value
        lifecycle.disable("weather")
    first = dt.datetime.fromisoformat(forecast[0]["time"])
    chicago = first.astimezone(zoneinfo.ZoneInfo("America/Chicago")).strftime("%H:%M")
    assert shown["first"] == chicago, shown
    assert chicago != first.astimezone(dt.UTC).strftime("%H:%M")
    assert chicago != first.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).strftime("%H:%M")
    assert shown["labels"], "the chart has no hour labels"
