"""In Chromium: upload a plan, place three things (one by keyboard, one as a drawn area), see simulated motion
light its area live and fade, tap a light and see the control confirmed; a malicious SVG stays inert.

The toy system (a real simulator on loopback) is watched by the hub's worker, so every change travels the real
way: simulator → monitor → pipeline → live stream → page.
"""

from __future__ import annotations

import pytest

from hi.apps.entity.models import Entity
from hi.apps.places import operations
from hi.apps.places.models import Placement
from hi.apps.places.tests.svgs import MALICIOUS_SVG, floor_svg
from hi.integrations import lifecycle
from hi.integrations.sync.engine import run_sync
from hi.integrations.testing.gateway import TOY

from .conftest import screenshot, sign_in
from .kiosk_soak import kiosk_plan, soak

pytestmark = pytest.mark.browser


def drag_by(page, selector: str, dx: float, dy: float) -> None:
    """Press on an editor handle and move it by (dx, dy) screen pixels, in steps as a hand would."""
    grip = page.locator(selector).bounding_box()
    x, y = grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y + dy, steps=5)
    page.mouse.up()


def upload(page, location_id: int, name: str, data: bytes) -> None:
    page.goto(f"/places/{location_id}/plan/edit")
    page.set_input_files("#plan-file", files=[{"name": name, "mimeType": "image/svg+xml", "buffer": data}])
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#editor img.plan-image")
    page.wait_for_function("document.querySelector('#editor img.plan-image').complete")


def test_plan_edit_then_live_view_with_motion_and_a_light(browser_page, live_hub, toy_simulator, toy_gateway,
                                                          toy_attributes):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    lifecycle.configure(TOY, toy_attributes)
    run_sync(TOY)
    lifecycle.enable(TOY)
    home = operations.create_location("Home")["id"]
    sign_in(page)
    upload(page, home, "ground.svg", floor_svg(800, 500))

    # 1. by mouse: drag the kitchen light from the list onto the plan
    page.locator('#palette [data-name="Kitchen light"]').drag_to(page.locator("#editor"),
                                                                 target_position={"x": 150, "y": 120})
    page.wait_for_selector('#editor .plan-icon[aria-label="Kitchen light (icon)"]')
    # 2. by keyboard: place the hall dimmer, then move it right with the arrow keys
    page.locator('#palette [data-name="Hall dimmer"] .place-icon').focus()
    page.keyboard.press("Enter")
    hall = page.locator('#editor .plan-icon[aria-label="Hall dimmer (icon)"]')
    hall.wait_for()
    for _ in range(5):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("+")
    # 3. draw the porch motion sensor's area: click its corners, Enter to finish
    page.locator('#palette [data-name="Porch motion"] .place-area').click()
    page.locator("#editor").scroll_into_view_if_needed()
    box = page.locator("#editor").bounding_box()
    for fx, fy in ((0.55, 0.55), (0.95, 0.55), (0.95, 0.95), (0.55, 0.95)):
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
    page.keyboard.press("Enter")
    page.wait_for_selector('#editor polygon[aria-label="Porch motion (area)"]')
    # 4. with the mouse handles: pull the area's first corner outwards, resize and rotate the kitchen light
    drag_by(page, "#editor .plan-handle-vertex[data-index='0']", -0.05 * box["width"], -0.05 * box["height"])
    page.click('#editor .plan-icon[aria-label="Kitchen light (icon)"]')
    drag_by(page, "#editor .plan-handle-resize", 30, 30)
    kitchen = page.locator('#editor .plan-icon[aria-label="Kitchen light (icon)"]').bounding_box()
    centre = (kitchen["x"] + kitchen["width"] / 2, kitchen["y"] + kitchen["height"] / 2)
    knob = page.locator("#editor .plan-handle-rotate").bounding_box()
    page.mouse.move(knob["x"] + knob["width"] / 2, knob["y"] + knob["height"] / 2)
    page.mouse.down()
    page.mouse.move(centre[0] + 80, centre[1], steps=5)  # to the right of the centre: a quarter turn
    page.mouse.up()
    page.fill("#fade-seconds", "20")
    page.click("#save-placements")
    page.wait_for_selector("#editor-status:has-text('Saved 3 placements')")
    screenshot(page, "plan-edit")

    placed = {p.entity.name: p for p in Placement.objects.select_related("entity")}
    assert set(placed) == {"Kitchen light", "Hall dimmer", "Porch motion"}
    assert placed["Hall dimmer"].x > 400 + 0.2 * 800 - 1  # five Shift+Arrow steps of 5 % each
    assert placed["Porch motion"].shape == "area" and len(placed["Porch motion"].points) == 4
    assert abs(placed["Kitchen light"].x - 150 / box["width"] * 800) < 3  # where it was dropped
    assert placed["Kitchen light"].size > 800 * 0.04 * 1.2  # the corner handle made it bigger
    assert placed["Kitchen light"].rotation == 90
    corner = placed["Porch motion"].points[0]
    assert corner[0] < 0.55 * 800 - 20 and corner[1] < 0.55 * 500 - 12  # the corner handle moved it

    page.goto(f"/places/{home}/plan")
    page.wait_for_function("document.querySelector('#live-indicator .live-text').textContent === 'live'")
    porch = page.locator('polygon.plan-area[aria-label="Porch motion"]')
    assert "is-active" not in (porch.get_attribute("class") or "")

    toy_simulator.set_value("porch", "active")
    page.wait_for_selector('polygon.plan-area.is-active[aria-label="Porch motion"]')
    screenshot(page, "plan-view")
    toy_simulator.set_value("porch", "idle")
    page.wait_for_selector('polygon.plan-area.is-recent[aria-label="Porch motion"]')
    first = float(porch.evaluate("el => getComputedStyle(el).getPropertyValue('--fade')"))
    page.wait_for_function("""first => {
        const el = document.querySelector('polygon.plan-area[aria-label="Porch motion"]');
        return parseFloat(el.style.getPropertyValue('--fade')) < first - 0.05; }""", arg=first)

    # tap the kitchen light: its panel has the card's controls; switching it on is confirmed by the toy
    page.click('.plan-icon[aria-label="Kitchen light"]')
    page.wait_for_selector("#plan-panel.show .control-toggle")
    page.click("#plan-panel .control-toggle button[value=on]")
    page.wait_for_selector("#plan-panel :text('confirmed')", timeout=20000)
    page.wait_for_selector('.plan-icon.is-on[aria-label="Kitchen light"]')
    assert toy_simulator.value_of("kitchen") == "on"
    assert Entity.objects.get(integration_name="kitchen").states.get().value == "on"
    assert not errors


def test_a_malicious_svg_is_neutralized(browser_page, live_hub):
    page = browser_page
    home = operations.create_location("Home")["id"]
    sign_in(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    upload(page, home, "evil.svg", MALICIOUS_SVG)
    page.goto(f"/places/{home}/plan")
    page.wait_for_function("document.querySelector('img.plan-image').complete")
    assert page.evaluate("document.querySelector('img.plan-image').naturalWidth") > 0  # it still draws
    page.goto(f"/places/{home}/plan/image")  # even opened on its own, as a document
    page.mouse.click(50, 50)
    assert page.evaluate("window.__pwned === undefined")
    assert not dialogs
    assert not [url for url in requests if "203.0.113.9" in url]


def test_the_kiosk_stays_live_without_heap_growth(browser_page, live_hub, toy_simulator, toy_gateway,
                                                  toy_attributes):
    """A compressed soak (~400 changes in 40 s, as many as ten minutes of a busy home): every change still
    arrives, and after garbage collection the page's JS heap has not grown. ``bench/kiosk_heap.py`` runs the
    full ten minutes and prints the numbers."""
    page = browser_page
    lifecycle.configure(TOY, {**toy_attributes, "poll_interval": "0.05"})
    run_sync(TOY)
    lifecycle.enable(TOY)
    floor = kiosk_plan({e.integration_name: e.id for e in Entity.objects.filter(integration_id=TOY)})
    sign_in(page)
    page.goto(f"/places/{floor}/kiosk?idle=5")
    page.wait_for_function("document.querySelector('#live-indicator .live-text').textContent === 'live'")
    assert page.locator("nav.navbar").count() == 0
    soak(page, toy_simulator, seconds=4, interval=0.1, sample_every=4)  # warm-up: caches, JIT, first swaps
    result = soak(page, toy_simulator, seconds=40, interval=0.1, sample_every=10, min_changes=200)
    last = result.samples[-1]
    assert last.changes_sent >= 200 and last.updates_seen >= last.changes_sent  # two states change per step
    assert result.growth_bytes < 1_000_000, [s.heap_bytes for s in result.samples]
    toy_simulator.set_value("porch", "active")  # still live at the end, and an alert wakes a dimmed screen
    page.wait_for_selector('polygon.plan-area.is-active[aria-label="Porch motion"]')
    assert not page.evaluate("document.body.classList.contains('is-dimmed')")
    page.wait_for_function("document.body.classList.contains('is-dimmed')", timeout=15000)  # idle: dims
    toy_simulator.set_value("porch", "idle")
    toy_simulator.set_value("porch", "active")
    page.wait_for_function("!document.body.classList.contains('is-dimmed')")
