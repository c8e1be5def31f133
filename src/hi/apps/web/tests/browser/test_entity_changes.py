"""In Chromium: open pages follow an entity being detached and reconnected by a sync, with no reload — the stream's
``entity`` event greys what shows it and turns its controls off at once (the home page then re-reads its cards);
a reconnect lifts that again on every page that greyed it (an entity page, a plan).

Everything travels the real way: Home Assistant's simulator on loopback → a sync → the page's stream.
"""

from __future__ import annotations

import pytest

from hi.apps.entity.models import Entity
from hi.apps.places.models import FloorPlan, Location, Placement
from hi.integrations import lifecycle
from hi.integrations.models import Integration
from hi.integrations.sync.engine import run_sync

from .conftest import sign_in, start_integration, wait_for
from .test_dashboard import _card

pytestmark = pytest.mark.browser


def test_an_open_home_page_shows_a_detached_entity_without_a_reload(browser_page, live_hub, hass_sim):
    page = browser_page
    start_integration("hass", hass_sim.integration_attributes())
    wait_for(lambda: Integration.objects.filter(integration_id="hass", last_success_at__isnull=False).exists(),
             what="Home Assistant's first contact")
    porch = Entity.objects.get(integration_id="hass", integration_name="light.porch")
    sign_in(page)
    page.goto("/?group=type")
    page.wait_for_selector("#live-indicator:has-text('live')")
    page.evaluate("() => { window.hiNotReloaded = true; }")  # gone if the page reloads
    card = _card(page, "Porch")
    toggle = card.locator(".quick-toggle button").first
    assert toggle.is_enabled() and card.locator(".badge:text-is('detached')").count() == 0

    hass_sim.remove_entity("light.porch")  # Home Assistant no longer has it: the next sync detaches it
    assert run_sync("hass").counts["detach"] == 1
    card.locator(".badge:text-is('detached')").wait_for(timeout=10000)
    assert "is-unavailable" in (card.get_attribute("class") or "")
    assert card.locator(".quick-toggle button").first.is_disabled()
    assert "no longer reports it" in card.locator(".availability-note").inner_text()
    assert page.evaluate("() => window.hiNotReloaded === true")
    porch.refresh_from_db()
    assert porch.is_detached

    hass_sim.set_state("light.porch", "off")  # back in Home Assistant: the next sync reconnects it
    assert run_sync("hass").counts["reconnect"] == 1
    card.locator(".badge:text-is('detached')").wait_for(state="detached", timeout=10000)
    card.locator(".quick-toggle button").first.wait_for()
    assert card.locator(".quick-toggle button").first.is_enabled()
    assert page.evaluate("() => window.hiNotReloaded === true")

    # The entity page of one being detached: greyed with the reason and its controls off at once, no reload
    # (no later health event may switch them back on: the integration no longer vouches for it).
    office = Entity.objects.get(integration_id="hass", integration_name="light.office")
    page.goto(f"/entities/{office.id}/")
    page.wait_for_selector("#live-indicator:has-text('live')")
    page.evaluate("() => { window.hiNotReloaded = true; }")
    disabled = "els => els.map(e => e.matches(':disabled'))"
    controls = ".entity-page .control-form input, .entity-page .control-form button"
    assert page.eval_on_selector_all(controls, disabled) and not any(page.eval_on_selector_all(controls, disabled))
    hass_sim.remove_entity("light.office")
    assert run_sync("hass").counts["detach"] == 1
    page.wait_for_selector(".entity-page.is-unavailable", timeout=10000)
    note = page.locator(".entity-page > .availability-note")
    assert note.is_visible() and "no longer reports it" in note.inner_text()
    assert all(page.eval_on_selector_all(controls, disabled))  # a slider and a toggle, off by their fieldsets
    assert page.locator(".entity-page [data-integration]").count() == 0
    assert page.evaluate("() => window.hiNotReloaded === true")


SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 800 500" width="800" height="500">'
       b'<rect x="10" y="10" width="780" height="480" fill="none" stroke="#333"/></svg>')
LIVE = "document.querySelector('#live-indicator .live-text').textContent === 'live'"
DISABLED = "els => els.map(e => e.matches(':disabled'))"
CONTROLS = ".entity-page .control-form input, .entity-page .control-form button"


def test_a_reconnected_entity_comes_back_on_every_page_that_greyed_it(browser_page, live_hub, hass_sim):
    """Its entity page and a plan (not only the home page, which re-reads its cards) lose the grey, the reason and
    the switched-off controls when a sync reconnects it, without a reload; and it follows its integration's
    availability again (its ``data-integration`` marks are back)."""
    page = browser_page
    start_integration("hass", hass_sim.integration_attributes())
    wait_for(lambda: Integration.objects.filter(integration_id="hass", last_success_at__isnull=False).exists(),
             what="Home Assistant's first contact")
    office = Entity.objects.get(integration_id="hass", integration_name="light.office")
    house = Location.objects.create(name="House", kind="floor")
    plan = FloorPlan.objects.create(location=house, format="svg", data=SVG, width=800, height=500)
    Placement.objects.create(plan=plan, entity=office, x=200, y=200)
    sign_in(page)
    page.goto(f"/entities/{office.id}/")
    planned = page.context.new_page()
    planned.goto(f"/places/{house.id}/plan")
    for each in (page, planned):
        each.wait_for_function(LIVE)
        each.evaluate("() => { window.hiNotReloaded = true; }")
    marked = page.locator(".entity-page [data-integration='hass']").count()
    assert marked and not any(page.eval_on_selector_all(CONTROLS, DISABLED))
    thing = planned.locator(f".plan-thing[data-entity-id='{office.id}']")
    assert "is-unavailable" not in (thing.get_attribute("class") or "")

    hass_sim.remove_entity("light.office")
    assert run_sync("hass").counts["detach"] == 1
    page.wait_for_selector(".entity-page.is-unavailable", timeout=10000)
    planned.wait_for_selector(f".plan-thing.is-unavailable[data-entity-id='{office.id}']", timeout=10000)
    assert all(page.eval_on_selector_all(CONTROLS, DISABLED))

    hass_sim.set_state("light.office", "off")  # back in Home Assistant: the next sync reconnects it
    assert run_sync("hass").counts["reconnect"] == 1
    page.wait_for_selector(".entity-page:not(.is-unavailable)", timeout=10000)
    planned.wait_for_selector(f".plan-thing:not(.is-unavailable)[data-entity-id='{office.id}']", timeout=10000)
    assert not any(page.eval_on_selector_all(CONTROLS, DISABLED))  # switched on again
    assert page.locator(".entity-page > .availability-note").is_hidden()
    assert page.locator(".entity-page [data-integration='hass']").count() == marked
    for each in (page, planned):
        assert each.evaluate("() => window.hiNotReloaded === true")

    # It follows its integration again: pausing Home Assistant greys it on both pages and turns its controls off.
    lifecycle.pause("hass")
    page.wait_for_selector(".entity-page li[data-state-row][data-integration='hass'].is-unavailable", timeout=10000)
    planned.wait_for_selector(f".plan-thing.is-unavailable[data-entity-id='{office.id}']", timeout=10000)
    page.wait_for_function(f"() => Array.from(document.querySelectorAll('{CONTROLS}')).every(e => e.matches(':disabled'))")
