"""In Chromium: controls that tell the truth — a spinner at once while a stalled peer keeps a control waiting, then
a clear failure that clears when the state is next confirmed; sliders, steppers and an alarm panel's buttons off
while the hub is unreachable; an alarm panel asking for its code and never keeping it in the page; a plan's tap
panel with the controls of an unavailable thing off and the reason said.

Everything travels the real way: Home Assistant's simulator on loopback → the hub's worker → the page's stream.
"""

from __future__ import annotations

import time

import pytest

from hi.apps.entity.enums import EntityStateType
from hi.apps.entity.models import Entity, EntityState
from hi.apps.places import operations, plans
from hi.apps.places.tests.svgs import floor_svg
from hi.integrations import lifecycle
from hi.integrations.models import Integration
from hi.simulator.hass.demo_home import ALARM_CODE, reveals_alarm_code

from .conftest import sign_in, start_integration, wait_for
from .test_dashboard import LIVE_WITHIN_MS, CuttableLink, _card

pytestmark = pytest.mark.browser
STALL_SECONDS = 2.0  # how long the stalled peer keeps a control waiting


def _ready(page, settings, hass_sim) -> None:
    start_integration("hass", hass_sim.integration_attributes())
    wait_for(lambda: Integration.objects.filter(integration_id="hass", last_success_at__isnull=False).exists(),
             what="Home Assistant's first contact")
    sign_in(page)


def test_a_stalled_peer_shows_a_spinner_at_once_then_a_clear_failure(browser_page, live_hub, hass_sim, settings):
    page = browser_page
    _ready(page, settings, hass_sim)
    page.goto("/?group=type")
    page.wait_for_selector("#live-indicator:has-text('live')")
    porch = _card(page, "Porch")
    spinner = porch.locator(".quick-toggle .htmx-indicator")
    assert not spinner.is_visible()

    # Home Assistant sits on the service call for a while, then fails it.
    hass_sim.faults.set("stall", seconds=STALL_SECONDS, count=1, paths=["/api/services"])
    hass_sim.faults.set("error_burst", status=503, count=1, paths=["/api/services"])
    clicked = time.monotonic()
    porch.locator(".quick-toggle button[value=on]").click()
    spinner.wait_for(state="visible", timeout=1000)  # at once, while the request is out
    assert time.monotonic() - clicked < STALL_SECONDS  # before the peer answered
    failed = porch.locator("[data-outcome=failed]")
    failed.wait_for(timeout=(STALL_SECONDS + 10) * 1000)
    assert not spinner.is_visible()
    text = failed.inner_text()
    assert text.strip().startswith("Not done:") and "Home Assistant" in text, text
    assert "503" in text and "http://" not in text and "127.0.0.1" not in text  # a sentence; detail a click away
    assert porch.locator(".quick-toggle button[value=off]").get_attribute("aria-pressed") == "true"  # snapped back

    # The next confirmation of the state (the light really turned on elsewhere) clears the failure.
    hass_sim.set_state("light.porch", "on")
    porch.locator(".state-badge:has-text('On')").wait_for()
    failed.wait_for(state="detached")
    assert porch.locator(".quick-toggle button[value=on]").get_attribute("aria-pressed") == "true"


def test_sliders_steppers_and_panel_buttons_refuse_input_while_the_hub_is_unreachable(browser_page, live_hub, hass_sim,
                                                                                    settings):
    page = browser_page
    _ready(page, settings, hass_sim)
    bedroom = Entity.objects.get(integration_id="hass", name="Bedroom")
    brightness = EntityState.objects.get(entity=bedroom, state_type=EntityStateType.LIGHT_DIMMER)
    link = CuttableLink(int(live_hub.url.rsplit(":", 1)[1]))
    try:
        page.goto(f"http://127.0.0.1:{link.port}/?group=type")  # same host: the session cookie still applies
        page.wait_for_selector("#live-indicator:has-text('live')")
        dimmer = _card(page, "Bedroom").locator(".card-slider input[type=range]")
        stepper = _card(page, "Hallway thermostat").locator(".control-stepper button")
        panel = _card(page, "Alarm panel").locator(".card-choices button, .card-choices input")
        volume = _card(page, "Living room TV").locator(".card-slider input[type=range]")
        controls = [dimmer, volume, stepper.first, stepper.last, panel.first, panel.last]
        assert all(c.is_enabled() for c in controls)

        link.cut()
        page.wait_for_selector("#hub-banner:not([hidden])")
        assert all(c.is_disabled() for c in controls)
        assert dimmer.evaluate("e => getComputedStyle(e).pointerEvents") == "none"  # greyed, cannot be dragged
        before = dimmer.input_value()
        dimmer.focus()
        page.keyboard.press("ArrowRight")
        assert dimmer.input_value() == before
        assert "The hub is not answering" in (dimmer.get_attribute("title") or "")

        link.restore()
        page.wait_for_selector("#hub-banner", state="hidden", timeout=30000)
        assert all(c.is_enabled() for c in controls)

        # The entity page's slider obeys the banner the same way.
        page.goto(f"http://127.0.0.1:{link.port}/entities/{bedroom.id}/")
        page.wait_for_selector("#live-indicator:has-text('live')")
        slider = page.locator(f"#control-{brightness.id}")
        assert slider.get_attribute("type") == "range" and slider.is_enabled()
        link.cut()
        page.wait_for_selector("#hub-banner:not([hidden])")
        assert slider.is_disabled()
        assert slider.evaluate("e => getComputedStyle(e).pointerEvents") == "none"
        link.restore()
        page.wait_for_selector("#hub-banner", state="hidden", timeout=30000)
        assert slider.is_enabled()
    finally:
        link.close()


def test_an_alarm_panel_card_asks_for_its_code_and_never_keeps_it(browser_page, live_hub, hass_sim, settings):
    page = browser_page
    _ready(page, settings, hass_sim)
    page.goto("/?group=type")
    page.wait_for_selector("#live-indicator:has-text('live')")
    panel = _card(page, "Alarm panel")
    code = panel.locator(".card-choices input[name=code]")

    panel.locator("button:text-is('Arm away')").click()  # no code typed: the browser asks for it, nothing is sent
    assert code.evaluate("e => !e.validity.valid && e.validationMessage !== ''")
    assert panel.locator(".card-control-row .quick-status").inner_text() == ""
    assert hass_sim.state_of("alarm_control_panel.security")["state"] == "disarmed"

    code.fill("0000")  # a wrong code: the panel refuses, the code is gone from the page
    panel.locator("button:text-is('Arm away')").click()
    panel.locator("[data-outcome=failed]").wait_for()
    assert code.input_value() == ""
    assert hass_sim.state_of("alarm_control_panel.security")["state"] == "disarmed"

    code.fill(ALARM_CODE)
    panel.locator("button:text-is('Arm away')").click()
    panel.locator("[data-outcome=confirmed]").wait_for()
    assert hass_sim.state_of("alarm_control_panel.security")["state"] == "armed_away"
    panel.locator(".state-badge:has-text('Armed (away)')").wait_for()
    assert code.input_value() == ""
    assert page.evaluate("code => Array.from(document.querySelectorAll('input')).every(i => i.value !== code)", ALARM_CODE)
    assert not reveals_alarm_code(page.content())


def test_the_plan_panel_turns_off_controls_of_an_unavailable_thing_and_says_why(browser_page, live_hub, hass_sim,
                                                                              settings):
    page = browser_page
    _ready(page, settings, hass_sim)
    porch = Entity.objects.get(integration_id="hass", name="Porch")
    floor = operations.create_location("Ground floor")["id"]
    plans.save_plan(floor, floor_svg(800, 500))
    plans.set_placements(floor, [{"entity_id": porch.id, "x": 200, "y": 200}])
    page.goto(f"/places/{floor}/plan")
    page.wait_for_selector("#live-indicator:has-text('live')")
    page.click(f".plan-thing[data-entity-id='{porch.id}']")
    panel = page.locator("#plan-panel-body .entity-panel")
    panel.locator(".control-toggle button").first.wait_for()
    assert panel.locator(".control-toggle button").first.is_enabled()

    lifecycle.pause("hass")  # live: the open panel follows the integration's health
    page.wait_for_selector("#plan-panel-body .entity-panel.is-unavailable", timeout=LIVE_WITHIN_MS)
    assert "is-unavailable" in page.get_attribute(f".plan-thing[data-entity-id='{porch.id}']", "class")  # greyed too
    assert panel.locator(".control-toggle button").first.is_disabled()
    assert "Home Assistant is paused" in panel.inner_text()

    page.keyboard.press("Escape")  # opened again while paused: off from the start, with the reason
    page.wait_for_selector("#plan-panel", state="hidden")
    page.click(f".plan-thing[data-entity-id='{porch.id}']")
    page.wait_for_selector("#plan-panel-body .entity-panel.is-unavailable")
    assert panel.locator(".control-toggle button").first.is_disabled()
    assert "Home Assistant is paused" in panel.locator(".availability-note").first.inner_text()
    assert panel.locator(".control-form fieldset").first.get_attribute("title") == "Home Assistant is paused"
    lifecycle.resume("hass")
    page.wait_for_selector(f".plan-thing[data-entity-id='{porch.id}']:not(.is-unavailable)", timeout=LIVE_WITHIN_MS)
    assert panel.locator(".control-toggle button").first.is_enabled()


def test_the_entity_page_steps_a_thermostat_target_like_its_card(browser_page, live_hub, hass_sim, settings):
    """The entity page has the card's minus/plus stepper (not a number field): + sends the target one step up, within the
    state's range, and the page shows the value Home Assistant confirms; the next + steps from there."""
    page = browser_page
    _ready(page, settings, hass_sim)
    thermostat = Entity.objects.get(integration_id="hass", name="Hallway thermostat")
    target = EntityState.objects.get(entity=thermostat, state_key="climate.thermostat#temperature")
    assert float(target.value) == 21.0 and target.value_range == {"min": 7, "max": 35, "step": 0.5}
    page.goto(f"/entities/{thermostat.id}/")
    page.wait_for_selector("#live-indicator:has-text('live')")
    row = page.locator(f"[data-state-row='{target.id}']")
    assert row.locator("input[type=number]").count() == 0
    stepper = row.locator(f".control-form .control-stepper[data-control-state='{target.id}']")
    assert (stepper.get_attribute("data-step"), stepper.get_attribute("data-min"),
            stepper.get_attribute("data-max")) == ("0.5", "7", "35")
    raise_button = stepper.locator("button[aria-label^='Raise']")

    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/control")) as sent:
        raise_button.click()
    assert "value=21.5" in (sent.value.post_data or "")
    row.locator("[data-outcome=confirmed]").wait_for()
    row.locator(f"#state-{target.id} .state-badge[data-value='21.5']").wait_for()
    assert hass_sim.state_of("climate.thermostat")["attributes"]["temperature"] == 21.5
    assert ("climate", "set_temperature") in [(domain, service) for domain, service, _ in hass_sim.service_calls]

    raise_button.wait_for()  # the live value moved the buttons: the next press steps from the confirmed 21.5
    page.wait_for_selector(f"[data-state-row='{target.id}'] button[aria-label^='Raise'][value='22']")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/control")) as again:
        raise_button.click()
    assert "value=22" in (again.value.post_data or "")
    row.locator(f"#state-{target.id} .state-badge[data-value='22']").wait_for()
