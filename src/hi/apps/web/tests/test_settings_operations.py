"""The Retention and Backups sections of the settings page: stored values, the environment winning, backups now."""

from __future__ import annotations

import pytest

from hi.apps.ops.config import backup_settings, retention_settings

pytestmark = pytest.mark.django_db


def test_retention_is_saved_and_used(client_in):
    page = client_in.get("/settings/")
    assert page.status_code == 200 and b"Raw sensor readings" in page.content and b"Back up now" in page.content
    response = client_in.post("/settings/", {"section": "retention", "sensor_history_days": "14",
                                             "events_days": "", "aggregates_days": "365",
                                             "control_history_days": "30"})
    assert response.status_code == 302
    values = retention_settings()
    assert (values["sensor_history_days"].value, values["sensor_history_days"].source) == (14, "page")
    assert values["events_days"].source == "default" and values["aggregates_days"].value == 365


def test_bad_values_are_refused_and_nothing_is_stored(client_in):
    response = client_in.post("/settings/", {"section": "retention", "sensor_history_days": "-3"})
    assert response.status_code == 400 and b"must be 0 or more" in response.content
    assert retention_settings()["sensor_history_days"].source == "default"


def test_the_environment_wins_and_the_page_says_so(client_in, monkeypatch):
    monkeypatch.setenv("HI_BACKUP_KEEP", "3")
    page = client_in.get("/settings/")
    assert b'data-testid="env-keep"' in page.content and b"HI_BACKUP_KEEP=3" in page.content
    response = client_in.post("/settings/", {"section": "backups", "keep": "9"})  # a forged post
    assert response.status_code == 400 and b"wins" in response.content
    assert backup_settings()["keep"].value == 3


def test_back_up_now_writes_an_archive(client_in, tmp_path, monkeypatch, settings):
    monkeypatch.setenv("HI_BACKUP_DIR", str(tmp_path))
    settings.MEDIA_ROOT = tmp_path / "media"
    response = client_in.post("/settings/", {"section": "backups", "action": "backup-now"}, follow=True)
    assert response.status_code == 200
    assert len(list(tmp_path.glob("hi-backup-*.tar"))) == 1
    assert b'data-testid="backup-newest"' in response.content
