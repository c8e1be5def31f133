"""In Chromium: sign in, configure Home Assistant (wrong token, then right), sync, switch a light live,
and watch a change made in Home Assistant reach the home page without a reload."""

from __future__ import annotations

import re

import pytest

from hi.apps.access.testing import PASSWORD, make_user
from hi.apps.entity.enums import EntityStateType
from hi.apps.entity.models import EntityState
from hi.apps.sense.models import Sensor
from hi.simulator.hass import HassSimulator

from .conftest import screenshot, submit_login

pytestmark = pytest.mark.browser


def _sign_in(page) -> None:
    make_user("alice", password=PASSWORD)
    page.goto("/")
    assert "/login/" in page.url
    submit_login(page)


def _configure(page, sim: HassSimulator, token: str) -> None:
    page.goto("/integrations/hass/configure")
    page.fill("#id_base_url", sim.url)
    page.fill("#id_api_token", token)
    page.click("#configure-submit")


def _state_id(sensor_key: str) -> int:
    integration_id, _, name = sensor_key.partition(":")
    return Sensor.objects.get(integration_id=integration_id, integration_name=name).entity_state_id


def test_configure_sync_control_and_live_updates(browser_page, hass_sim, live_hub):
    page = browser_page
    _sign_in(page)

    _configure(page, hass_sim, "not-the-token")
    page.wait_for_selector(".connection-test")
    assert "not-the-token" not in page.content()
    error = page.inner_text(".connection-test")
    assert "wrong token" in error and "Nothing was saved" in error
    screenshot(page, "configure-error")

    _configure(page, hass_sim, hass_sim.token)
    page.wait_for_url(re.compile(r"/integrations/$"))
    assert "Home Assistant configured" in page.inner_text("main")
    assert hass_sim.token not in page.content()

    page.click("#integration-hass button:has-text('Sync')")
    page.wait_for_selector("#integration-hass .sync-confirm")
    assert "Create" in page.inner_text("#integration-hass .sync-summary")
    screenshot(page, "sync-preview")
    page.click("#integration-hass .sync-confirm")
    page.wait_for_selector("#integration-hass .sync-panel:has-text('Sync done')")
    screenshot(page, "sync-result")
    page.click("#integration-hass button:has-text('Enable')")
    page.wait_for_selector("#integration-hass .health-badge")
    screenshot(page, "integrations")

    porch_state = _state_id("hass:light.porch")
    page.goto("/")
    page.fill("#q", "Porch")
    page.wait_for_selector(f"#state-{porch_state}")
    page.click("[data-entity-id] a:text-is('Porch')")
    page.wait_for_selector(f"#state-{porch_state} .state-badge:has-text('Off')")
    page.wait_for_selector("#live-indicator:has-text('live')")
    page.click(f'[data-control-state="{porch_state}"] button[value="on"]')
    page.wait_for_selector(f"#state-{porch_state} .state-badge:has-text('On')")
    page.wait_for_selector(f"#control-status-{porch_state} [data-outcome=confirmed]")
    assert hass_sim.state_of("light.porch")["state"] == "on"

    kitchen = EntityState.objects.get(sensors__integration_name__startswith="light.kitchen",
                                      state_type=EntityStateType.LIGHT_DIMMER)
    page.goto(f"/entities/{kitchen.entity_id}/")
    page.wait_for_selector("#live-indicator:has-text('live')")
    page.fill(f"#control-{kitchen.id}", "30")  # the slider posts on change
    page.wait_for_selector(f"#control-status-{kitchen.id} [data-outcome=confirmed]")
    page.wait_for_selector(f"#state-{kitchen.id} .state-badge:has-text('30%')")
    assert 70 <= hass_sim.state_of("light.kitchen")["attributes"]["brightness"] <= 80
    screenshot(page, "entity")

    page.goto("/?q=Porch")  # the card's one-tap switch
    page.wait_for_selector("#live-indicator:has-text('live')")
    page.click(f'.quick-toggle [data-control-state="{porch_state}"] button[value="off"]')
    page.wait_for_selector(f"#state-{porch_state} .state-badge:has-text('Off')")
    page.wait_for_selector(f'.quick-toggle [data-control-state="{porch_state}"] button[value="off"].active')
    assert hass_sim.state_of("light.porch")["state"] == "off"

    door_state = _state_id("hass:binary_sensor.front_door_contact")
    page.goto("/")
    page.wait_for_selector("#live-indicator:has-text('live')")
    # Results swapped in by htmx must stay live too; their stream listeners exist once htmx has settled.
    page.evaluate("window.__settled = false; document.addEventListener('htmx:afterSettle', () => { window.__settled = true; })")
    page.fill("#q", "Front Door")
    page.wait_for_function("window.__settled")
    page.wait_for_selector(f"#state-{door_state} .state-badge:has-text('Closed')")
    page.wait_for_function("document.querySelectorAll('[data-entity-id]').length < 5")
    page.evaluate("window.__noReload = true")
    hass_sim.set_state("binary_sensor.front_door_contact", "on")
    page.wait_for_selector(f"#state-{door_state} .state-badge:has-text('Open')")
    assert page.evaluate("window.__noReload") is True  # the same document: no reload happened

    door = EntityState.objects.get(pk=door_state).entity
    door.name = "Front Door Sensor"
    door.save()
    page.fill("#q", "Front Door")
    page.evaluate("document.body.dispatchEvent(new CustomEvent('hi:resync'))")  # as after a missed change
    page.wait_for_selector("text=Front Door Sensor")
    assert page.evaluate("window.__noReload") is True
    page.goto("/")
    page.wait_for_selector("#live-indicator:has-text('live')")
    screenshot(page, "home")
