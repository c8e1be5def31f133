"""In Chromium with its back/forward cache on (Playwright turns it off unless asked): a page the browser keeps in
that cache closes its live stream and, shown again, reconnects it without showing the "hub not answering" banner,
catches up on what changed while it was away (the home page re-reads its cards), and follows changes live again."""

from __future__ import annotations

import pytest

from hi.apps.entity.models import Entity
from hi.integrations.models import Integration

from .conftest import chromium_page, sign_in, start_integration, wait_for
from .test_dashboard import _card

pytestmark = pytest.mark.browser
LIVE = "document.querySelector('#live-indicator .live-text').textContent === 'live'"


def test_a_restored_page_catches_up_and_stays_live(live_hub, hass_sim):
    start_integration("hass", hass_sim.integration_attributes())
    wait_for(lambda: Integration.objects.filter(integration_id="hass", last_success_at__isnull=False).exists(),
             what="Home Assistant's first contact")
    hass_sim.set_state("light.porch", "off")
    porch = Entity.objects.get(integration_id="hass", integration_name="light.porch")
    with chromium_page(live_hub.url, bfcache=True) as page:
        sign_in(page)
        page.goto("/?group=type")
        page.wait_for_function(LIVE)
        card = _card(page, "Porch")
        card.locator("[data-value='off']").first.wait_for()
        page.evaluate("() => { window.hiKeptInCache = true; }")  # gone if the page is loaded again

        page.goto("/weather/")
        hass_sim.set_state("light.porch", "on")  # while the home page is away: its stream is closed
        wait_for(lambda: porch.states.filter(value="on").exists(), what="the hub to record the change")
        page.go_back(wait_until="commit")  # a page restored from the cache fires no "load"
        assert page.evaluate("() => window.hiKeptInCache === true"), "the page was loaded again, not restored"
        card.locator("[data-value='on']").first.wait_for(timeout=15000)  # caught up
        page.wait_for_function(LIVE)
        assert page.locator("#hub-banner").is_hidden()

        hass_sim.set_state("light.porch", "off")  # and live again
        card.locator("[data-value='off']").first.wait_for(timeout=15000)
        assert page.locator("#hub-banner").is_hidden()
        assert page.evaluate("() => window.hiKeptInCache === true")
