"""In Chromium: an alert appears live on an open page (banner, sound cue and the header's open-alert
count), is acknowledged from the banner, and is no longer among the open alerts."""

from __future__ import annotations

import datetime as dt

import pytest

from hi.apps.access.testing import PASSWORD, make_user
from hi.apps.alarm.engine import reset_engine
from hi.apps.alarm.models import Alert
from hi.apps.alarm.rules import create_rule
from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.sense.pipeline import get_pipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

from .conftest import log_in, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_an_alert_appears_live_is_acknowledged_and_leaves_open_alerts(browser_page, live_hub):
    page = browser_page
    reset_engine()
    make_user("alice", password=PASSWORD)
    leak = make_device("Basement leak", S.MOISTURE, value="clear")
    create_rule({"name": "Water in the basement", "level": "critical", "life_safety": True, "modes": [],
                 "conditions": [{"state": leak.state.pk, "op": "eq", "value": "detected"}]})
    log_in(page)
    page.wait_for_function("document.querySelector('#live-indicator .live-text').textContent === 'live'")
    assert page.locator("#alert-banner .alarm-alert").count() == 0
    assert page.locator("#alert-count").is_hidden()

    get_pipeline().process([SensorResponse(IntegrationKey("test", "Basement leak"), "detected",
                                           dt.datetime.now(dt.UTC))])
    banner = page.wait_for_selector("#alert-banner .alarm-alert[data-level=critical]")
    assert "Water in the basement" in banner.inner_text()
    page.wait_for_function("document.body.getAttribute('data-last-alarm-sound') === 'critical'")
    page.wait_for_selector("#alert-count:visible:text-is('1')")  # the header's count, live
    screenshot(page, "alert-banner")

    alert = Alert.objects.get()
    page.click("#alert-banner .alarm-alert button:has-text('Acknowledge')")
    page.wait_for_function("document.querySelectorAll('#alert-banner .alarm-alert').length === 0")
    page.wait_for_selector("#alert-count", state="hidden")
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.acknowledged_by == "user:alice"

    page.goto("/alerts/")
    assert page.locator(f"#open-alerts tr[data-alert-id='{alert.pk}']").count() == 0
    assert "No open alerts." in page.inner_text("#open-alerts")
    assert page.locator(f"tr[data-alert-id='{alert.pk}']").count() == 1  # among the past alerts
    screenshot(page, "alerts")


def test_sound_can_be_muted_per_browser(browser_page, live_hub):
    page = browser_page
    sign_in(page)
    page.click("#alarm-mute")
    assert page.get_attribute("#alarm-mute", "aria-pressed") == "true"
    page.goto("/events/")
    assert page.get_attribute("#alarm-mute", "aria-pressed") == "true"  # remembered by this browser
