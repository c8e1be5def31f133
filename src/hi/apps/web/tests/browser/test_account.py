"""In Chromium: a member (not an admin) finds "Your account" in the navigation, mistypes their current password
(told so beside the field, nothing kept in the form), then changes it — on a phone too, where the form fits — and
stays signed in, while the page they had open on another device stops updating and that device is signed out."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from hi.apps.access.testing import PASSWORD, make_user

from .conftest import log_in, screenshot
from .test_dashboard import PHONE
from .test_layout import _PAGE_CHECK

pytestmark = pytest.mark.browser
NEW = "Plum-Tree-Harbour-77"


def test_a_member_changes_their_own_password_and_their_other_device_is_signed_out(browser_page, live_hub, settings):
    settings.HI_STREAM_RECHECK_SECONDS = 0.5
    page = browser_page
    make_user("mia", role="member")
    log_in(page, "mia")
    browser = page.context.browser
    phone = browser.new_context(viewport=PHONE, base_url=live_hub.url, bypass_csp=True, has_touch=True)
    try:
        other = phone.new_page()
        log_in(other, "mia")
        live = "document.querySelector('#live-indicator .live-text').textContent === 'live'"
        other.wait_for_function(live)  # (folded into the phone's menu, so not visible)

        page.click("#nav-account")
        page.wait_for_url(re.compile(r"/account/$"))
        assert "a member" in page.inner_text("#account-who")
        page.fill("#current-password", "not-it-at-all")
        page.fill("#new-password", NEW)
        page.fill("#new-password-confirm", NEW)
        page.click("#password-change button[type=submit]")
        page.wait_for_selector("#current-password-error")
        assert "not your current password" in page.inner_text("#current-password-error")
        assert page.input_value("#current-password") == "" and page.input_value("#new-password") == ""
        assert NEW not in page.content()

        page.fill("#current-password", PASSWORD)
        page.fill("#new-password", NEW)
        page.fill("#new-password-confirm", NEW)
        page.click("#password-change button[type=submit]")
        page.wait_for_selector(".alert-success:has-text('Your password is changed')")
        assert get_user_model().objects.get(username="mia").check_password(NEW)
        page.goto("/")  # still signed in here
        assert page.url.endswith("/") and page.locator("#nav-account").count() == 1

        other.wait_for_function("!(" + live + ")", timeout=10000)  # its stream ended
        other.goto("/account/")
        assert "/login/" in other.url  # and the old password no longer signs in
        other.fill("#id_username", "mia")
        other.fill("#id_password", PASSWORD)
        other.click("button[type=submit]")
        other.wait_for_selector(".alert-danger")
        assert "/login/" in other.url
        other.fill("#id_username", "mia")
        other.fill("#id_password", NEW)
        other.click("button[type=submit]")
        other.wait_for_url(re.compile(r"/$"))
        other.goto("/account/")
        found = other.evaluate(_PAGE_CHECK)
        assert found["overflow"] <= 0 and not found["outside"] and not found["small"], found
        screenshot(other, "account-phone")
    finally:
        phone.close()
