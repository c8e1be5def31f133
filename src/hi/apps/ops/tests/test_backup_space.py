"""Room for a backup, checked before it starts: refusals say where, how much is free and how much is
needed, write nothing, and a refused scheduled backup shows in ``hi doctor`` and on the Settings page.

Free space is faked at the one edge the check reads, ``diskspace.disk_usage``; the backups are real."""

from __future__ import annotations

import json
from collections import namedtuple
from pathlib import Path

import pytest

from hi.apps.ops import diskspace, doctor
from hi.apps.ops.maintenance import backup_refused, scheduled_backup_if_due
from hi.cli.main import main

Usage = namedtuple("Usage", "total used free")
GB = 10**9


@pytest.fixture
def free(monkeypatch):
    """Set the free bytes every file system reports (the real total is irrelevant to the check)."""
    box = {"free": 100 * GB}
    monkeypatch.setattr(diskspace, "disk_usage", lambda path: Usage(200 * GB, 200 * GB - box["free"], box["free"]))
    return box


@pytest.fixture
def backups(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    target = tmp_path / "backups"
    monkeypatch.setenv("HI_BACKUP_DIR", str(target))
    monkeypatch.setenv("HI_BACKUP_INTERVAL_HOURS", "24")
    return target


@pytest.mark.django_db(transaction=True)
def test_a_backup_without_room_is_refused_in_plain_words_and_writes_nothing(free, backups, capsys):
    places = diskspace.plan(backups)
    database = diskspace.database_size()
    assert database > 0 and sum(p.need for p in places) >= 2 * database + diskspace.MARGIN
    free["free"] = min(p.need for p in places) - 1  # one byte short wherever it writes
    assert main(["backup"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("hi: not enough free disk space for a backup, so none was started: ")
    assert " free, and a backup needs " in error and str(backups) in error and "for the archive" in error
    assert not backups.exists() or not any(backups.iterdir())  # no archive, no partial file, no staging
    free["free"] = 100 * GB
    assert main(["backup", "--json"]) == 0
    assert Path(json.loads(capsys.readouterr().out)["path"]).parent == backups


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_the_wal_needs_room_beside_the_database(free, backups):
    from django.db import connection

    if connection.vendor != "sqlite":
        assert all("WAL" not in why for p in diskspace.plan(backups) for why in p.why)  # the server's disk
        return
    reasons = [why for p in diskspace.plan(backups) for why in p.why]
    folder = str(Path(connection.settings_dict["NAME"]).parent)
    assert any("for the WAL file, which grows while the backup runs" in why and folder in why for why in reasons)


@pytest.mark.django_db(transaction=True)
def test_a_refused_scheduled_backup_shows_in_doctor_until_one_succeeds(free, backups, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    free["free"] = 10**6
    assert scheduled_backup_if_due() is None and not list(backups.glob("hi-backup-*"))
    _when, sentence = backup_refused()
    assert "not enough free disk space" in sentence and "1 MB free" in sentence
    check = {c.name: c for c in doctor.run_checks(probe=False)}["backups.space"]
    assert check.status == doctor.FAIL and "was refused" in check.message and "1 MB free" in check.message
    free["free"] = 100 * GB
    assert scheduled_backup_if_due() is not None
    assert backup_refused() is None
    check = {c.name: c for c in doctor.run_checks(probe=False)}["backups.space"]
    assert check.status == doctor.PASS
    free["free"] = 10**6
    check = {c.name: c for c in doctor.run_checks(probe=False)}["backups.space"]
    assert check.status == doctor.WARN and check.message.startswith("the next backup would be refused: ")
