"""The household's time zone: environment first, then the settings page, then the system; pages render in it."""

from __future__ import annotations

import pytest
from django.test import Client

from hi.apps.access.testing import make_user
from hi.apps.household import store, timezones
from hi.apps.household.models import HouseholdSetting

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in() -> Client:
    client = Client()
    client.force_login(make_user("alice", password="correct horse battery"))
    return client


def test_without_environment_or_setting_the_system_zone_applies(monkeypatch):
    monkeypatch.delenv("HI_TIME_ZONE", raising=False)
    monkeypatch.setenv("TZ", "Europe/Berlin")
    assert timezones.current() == timezones.TimeZoneChoice("Europe/Berlin", "system")


def test_a_stored_zone_beats_the_system_and_the_environment_beats_both(monkeypatch):
    monkeypatch.delenv("HI_TIME_ZONE", raising=False)
    timezones.set_zone("America/Chicago", updated_by="alice")
    assert timezones.current() == timezones.TimeZoneChoice("America/Chicago", "settings")
    monkeypatch.setenv("HI_TIME_ZONE", "Asia/Tokyo")
    assert timezones.current() == timezones.TimeZoneChoice("Asia/Tokyo", "environment")


def test_unknown_names_are_refused_and_nothing_is_stored():
    for bad in ("last spring", "../etc/passwd", "/etc/localtime", "Mars/Olympus"):
        with pytest.raises(ValueError, match="is not a time zone name"):
            timezones.set_zone(bad)
    assert not HouseholdSetting.objects.exists()


def test_clearing_the_zone_returns_to_the_system_one(monkeypatch):
    monkeypatch.delenv("HI_TIME_ZONE", raising=False)
    timezones.set_zone("America/Chicago")
    timezones.set_zone("")
    assert timezones.current().source == "system"
    assert store.get(timezones.SETTING_KEY) is None


def test_the_settings_page_sets_the_zone_and_pages_render_in_it(signed_in, monkeypatch):
    monkeypatch.delenv("HI_TIME_ZONE", raising=False)
    response = signed_in.post("/settings/", {"section": "time-zone", "time_zone": "America/Chicago"})
    assert response.status_code == 302
    assert timezones.current().name == "America/Chicago"
    page = signed_in.get("/settings/")
    assert "America/Chicago" in page.content.decode() and "(set here)" in page.content.decode()
    assert page.context["TIME_ZONE"] == "America/Chicago"  # Django's tz context: the request's active zone


def test_the_settings_page_refuses_a_bad_zone_in_words(signed_in, monkeypatch):
    monkeypatch.delenv("HI_TIME_ZONE", raising=False)
    response = signed_in.post("/settings/", {"section": "time-zone", "time_zone": "last spring"})
    assert response.status_code == 400
    assert "is not a time zone name" in response.content.decode()
    assert not HouseholdSetting.objects.exists()


def test_the_page_says_when_the_environment_wins(signed_in, monkeypatch):
    monkeypatch.setenv("HI_TIME_ZONE", "Asia/Tokyo")
    page = signed_in.get("/settings/").content.decode()
    assert "HI_TIME_ZONE=Asia/Tokyo" in page and "wins over this page" in page
    refused = signed_in.post("/settings/", {"section": "time-zone", "time_zone": "America/Chicago"})
    assert refused.status_code == 400 and not HouseholdSetting.objects.exists()
