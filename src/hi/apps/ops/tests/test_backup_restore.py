"""Backup and restore on the real database (SQLite or PostgreSQL, whichever the suite runs on)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from hi.apps.entity.models import Entity
from hi.apps.monitor.models import WorkerHeartbeat
from hi.apps.ops.archive import MANIFEST, BackupError, read_manifest
from hi.apps.ops.backup import create_backup, newest_backup, rotate
from hi.apps.ops.restore import restore

from . import household

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _rewrite(archive: Path, target: Path, change_manifest=None, corrupt: str | None = None) -> Path:
    """Copy ``archive`` member by member, optionally editing the manifest or flipping a byte of one member."""
    with tarfile.open(archive) as source, tarfile.open(target, "w") as out:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == MANIFEST and change_manifest:
                manifest = json.loads(data)
                change_manifest(manifest)
                data = json.dumps(manifest).encode()
            if member.name == corrupt:
                data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def test_restore_gives_back_exactly_what_was_backed_up(tmp_path, media):
    made = household.build()
    before = household.table_rows()
    manual_bytes = (Path(media) / made["manual"].file.name).read_bytes()
    archive = create_backup(tmp_path / "b.tar")
    manifest = read_manifest(archive)
    assert manifest["counts"]["sense_sensorhistory"] == 300 and manifest["database"]["member"].startswith("database/")
    assert "keys/secret_key" in manifest["files"] and any(n.startswith("files/media/") for n in manifest["files"])
    assert manifest["migrations"]["ops"][0] == "0001_initial"
    # the household then changes: rows go and come, the file disappears, the key is replaced
    Entity.objects.filter(name="Garden shed").delete()
    Entity.objects.create(name="Not in the backup")
    (Path(media) / made["manual"].file.name).unlink()
    key_file = Path(settings.DATA_DIR) / "secret_key"
    original_key = key_file.read_bytes()
    key_file.write_text("another key")
    try:
        report = restore(archive, confirmed=True)
    finally:
        restored_key = key_file.read_bytes()
        key_file.write_bytes(original_key)
    assert household.table_rows() == before
    assert (Path(media) / made["manual"].file.name).read_bytes() == manual_bytes
    assert restored_key == original_key and "secret_key" in report.keys and set(report.keys) <= {"secret_key", "secrets.key"} and report.files == 1


def test_a_corrupt_archive_is_refused_and_nothing_changes(tmp_path, media):
    household.build()
    archive = create_backup(tmp_path / "b.tar")
    member = read_manifest(archive)["database"]["member"]
    bad = _rewrite(archive, tmp_path / "bad.tar", corrupt=member)
    Entity.objects.create(name="Added after the backup")
    before = household.table_rows()
    with pytest.raises(BackupError, match=f"checksum mismatch for {member}"):
        restore(bad, confirmed=True)
    assert household.table_rows() == before


def test_an_archive_from_a_newer_schema_is_refused(tmp_path, media):
    household.build()
    archive = create_backup(tmp_path / "b.tar")
    newer = _rewrite(archive, tmp_path / "newer.tar",
                     change_manifest=lambda m: m["migrations"]["entity"].append("0099_from_the_future"))
    with pytest.raises(BackupError, match=r"newer hi .*entity\.0099_from_the_future"):
        restore(newer, confirmed=True)


def test_not_a_backup_missing_members_and_unsafe_paths_are_refused(tmp_path, media):
    (tmp_path / "junk.tar").write_bytes(b"not a tar at all")
    with pytest.raises(BackupError, match="not a readable hi backup"):
        restore(tmp_path / "junk.tar", confirmed=True)
    with pytest.raises(BackupError, match="no such archive"):
        restore(tmp_path / "missing.tar", confirmed=True)
    archive = create_backup(tmp_path / "b.tar")
    incomplete = _rewrite(archive, tmp_path / "incomplete.tar",
                          change_manifest=lambda m: m["files"].update({"keys/extra": {"sha256": "0", "size": 1}}))
    with pytest.raises(BackupError, match="missing keys/extra"):
        restore(incomplete, confirmed=True)


def test_restore_over_data_needs_confirmation_and_a_stopped_hub(tmp_path, media):
    household.build()
    archive = create_backup(tmp_path / "b.tar")
    with pytest.raises(BackupError, match=r"already has data.*--yes"):
        restore(archive)
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="h:1", hostname="h", pid=1, started_at=now, heartbeat_at=now)
    with pytest.raises(BackupError, match="hub is running"):
        restore(archive, confirmed=True)


def test_rotation_keeps_the_newest(tmp_path, media):
    paths = [create_backup(tmp_path) for _ in range(4)]
    assert rotate(tmp_path, keep=2) == paths[:2]
    assert sorted(tmp_path.glob("hi-backup-*.tar")) == paths[2:]
    assert newest_backup(tmp_path)[0] == paths[-1]
