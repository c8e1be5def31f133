"""In Chromium: the HomeBox inventory synced from its simulator — item cards with their photo, an item's
page (attributes, a manual opened through the hub, a link attachment) and the warranty list."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hi.apps.access.testing import PASSWORD, make_user
from hi.apps.entity.models import Entity
from hi.integrations import lifecycle
from hi.integrations.client import reset_breakers, reset_metrics
from hi.integrations.sync.engine import run_sync
from hi.simulator.homebox import HomeBoxSimulator

from .conftest import log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def homebox(settings, tmp_path) -> Iterator[HomeBoxSimulator]:
    settings.HOMEBOX_ATTACHMENT_DIR = tmp_path / "homebox"
    reset_breakers()
    reset_metrics()
    simulator = HomeBoxSimulator("demo")
    with simulator.running_in_thread():
        yield simulator
    reset_breakers()


def test_inventory_cards_item_page_and_warranties(browser_page, live_hub, homebox):
    page = browser_page
    make_user("alice", password=PASSWORD)
    lifecycle.configure("homebox", homebox.integration_attributes(), test=True)
    run_sync("homebox")
    log_in(page)

    page.goto("/?integration=homebox")
    page.wait_for_selector("img.entity-picture")
    page.wait_for_function("Array.from(document.querySelectorAll('img.entity-picture')).every(i => i.complete)")
    assert page.evaluate("document.querySelector('img.entity-picture').naturalWidth") == 96  # through the hub
    screenshot(page, "homebox-cards")

    fridge = Entity.objects.get(name="Refrigerator")
    page.goto(f"/entities/{fridge.id}/")
    page.wait_for_selector("img.entity-photo")
    page.wait_for_function("document.querySelector('img.entity-photo').complete")
    assert page.evaluate("document.querySelector('img.entity-photo').naturalWidth") == 96
    text = page.inner_text("main")
    assert "LG" in text and "LRFXS2503S" in text and "(in 20 days)" in text and "Home / Kitchen" in text
    assert page.locator("a[href='/homebox/warranties/']").count() == 1
    assert homebox.password not in page.content()
    screenshot(page, "homebox-item")
    with page.expect_response(lambda r: "/homebox/items/" in r.url) as answer:  # a file, through the hub
        page.click("text=open >> nth=0")
    assert answer.value.status == 200

    drill = Entity.objects.get(name="Cordless drill")
    page.goto(f"/entities/{drill.id}/")
    link = page.locator("a[href='https://www.example.com/dcd791']")
    assert link.count() == 1 and link.get_attribute("rel") == "noopener noreferrer nofollow"

    page.goto("/homebox/warranties/?days=90")
    rows = page.locator("#warranties tbody tr")
    assert rows.count() == 2 and "Refrigerator" in rows.nth(0).inner_text()
    screenshot(page, "homebox-warranties")
