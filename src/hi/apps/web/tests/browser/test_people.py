"""In Chromium: an admin reaches People from Settings, adds a person with a made-up password (shown once), that
person signs in with it on a phone, and the admin — also at 390 px — disables them, which signs them out."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from hi.apps.access.testing import PASSWORD, make_user

from .conftest import screenshot
from .test_dashboard import PHONE
from .test_layout import _PAGE_CHECK

pytestmark = pytest.mark.browser


def _sign_in(page, name: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_add_a_person_who_signs_in_then_disable_them_on_a_phone(browser_page, live_hub):
    page = browser_page
    make_user("root", role="admin")
    _sign_in(page, "root", PASSWORD)
    page.goto("/settings/")
    page.click("#people-link")
    page.wait_for_url(re.compile(r"/people/$"))
    page.fill("#add-username", "dana")
    page.select_option("#add-role", "viewer")
    page.click("#person-add button[type=submit]")
    made_up = page.locator("#password-value").input_value()
    assert get_user_model().objects.get(username="dana").check_password(made_up)
    page.goto("/people/")  # a second look never shows it again (the page is not cached, the value is nowhere else)
    assert page.locator("#password-value").count() == 0
    page.locator("tr[data-person='dana'] summary").click()
    screenshot(page, "people")

    browser = page.context.browser
    dana = browser.new_context(viewport=PHONE, base_url=live_hub.url, bypass_csp=True, has_touch=True)
    admin = browser.new_context(viewport=PHONE, base_url=live_hub.url, bypass_csp=True, has_touch=True,
                                storage_state=page.context.storage_state())
    try:
        theirs = dana.new_page()
        _sign_in(theirs, "dana", made_up)
        mine = admin.new_page()
        mine.goto("/people/")
        found = mine.evaluate(_PAGE_CHECK)
        assert found["overflow"] <= 0 and not found["outside"] and not found["small"], found
        row = mine.locator("tr[data-person='dana']")
        assert row.locator("[data-field=role]").inner_text() == "viewer"
        row.locator("summary").tap()
        found = mine.evaluate(_PAGE_CHECK)  # the opened forms fit the phone too
        assert found["overflow"] <= 0 and not found["outside"] and not found["small"], found
        screenshot(mine, "people-phone")
        mine.once("dialog", lambda dialog: dialog.accept())  # data-confirm asks first
        row.locator("button", has_text="Disable").tap()
        mine.wait_for_selector("tr[data-person='dana'] [data-field=active] .badge")
        assert "disabled" in mine.locator("tr[data-person='dana'] [data-field=active]").inner_text()
        theirs.goto("/")
        assert "/login/" in theirs.url  # their session no longer signs them in
    finally:
        dana.close()
        admin.close()
