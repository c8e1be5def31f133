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


def test_a_refused_backup_shows_on_the_page(client_in, tmp_path, monkeypatch, settings):
    """Free space is faked at the edge the check reads (the disk-usage function); the backup is real."""
    from collections import namedtuple

    from hi.apps.ops import diskspace
    from hi.apps.ops.maintenance import scheduled_backup_if_due

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(diskspace, "disk_usage", lambda path: usage(10**10, 10**10 - 10**6, 10**6))
    monkeypatch.setenv("HI_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("HI_BACKUP_INTERVAL_HOURS", "24")
    settings.MEDIA_ROOT = tmp_path / "media"
    response = client_in.post("/settings/", {"section": "backups", "action": "backup-now"})
    assert response.status_code == 400 and b"not enough free disk space for a backup" in response.content
    assert scheduled_backup_if_due() is None
    page = client_in.get("/settings/")
    assert b"The scheduled backup at " in page.content and b"1 MB free" in page.content
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())  # nothing written
