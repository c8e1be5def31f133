"""A backup taken while the pipeline ingests restores, in a fresh data dir, to a hub that starts and holds
exactly the snapshot: every restored reading exists in the source, counts match the manifest."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.ops.archive import read_manifest
from hi.apps.ops.backup import create_backup
from hi.apps.sense.live.bus import LiveBus
from hi.apps.sense.models import SensorHistory
from hi.apps.sense.pipeline import SensorResponsePipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

HI = str(Path(sys.executable).with_name("hi"))


def _ingest(stop: threading.Event, started: threading.Event, names: list[str]) -> None:
    from django.db import connection as thread_connection

    pipeline = SensorResponsePipeline(LiveBus())
    base = timezone.now()
    n = 0
    try:
        while not stop.is_set():
            batch = [SensorResponse(IntegrationKey("hass", name), 20 + (n + i) % 50 / 10,
                                    base + dt.timedelta(milliseconds=n + i), {}, None) for i, name in enumerate(names)]
            pipeline.process(batch)
            n += len(names)
            started.set()
    finally:
        pipeline.shutdown()
        thread_connection.close()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="restores into a fresh SQLite data dir")
@pytest.mark.django_db(transaction=True)
def test_backup_during_ingest_restores_to_a_hub_that_starts(tmp_path):
    names = [f"sensor.t{i}" for i in range(20)]
    for name in names:
        make_device(name, S.TEMPERATURE, integration_id="hass", value=20.0)
    stop, started = threading.Event(), threading.Event()
    worker = threading.Thread(target=_ingest, args=(stop, started, names))
    worker.start()
    try:
        assert started.wait(30)
        archive = create_backup(tmp_path / "live.tar")
    finally:
        stop.set()
        worker.join()
    manifest = read_manifest(archive)
    total_now = SensorHistory.objects.count()
    assert 0 < manifest["counts"]["sense_sensorhistory"] <= total_now

    target = tmp_path / "restored"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(HI_DATA_DIR=str(target), HI_BACKUP_INTERVAL_HOURS="0")
    restored = subprocess.run([HI, "restore", str(archive), "--json"], env=env, capture_output=True, text=True,
                              timeout=120)
    assert restored.returncode == 0, restored.stderr
    listing = subprocess.run([HI, "entities", "list", "--json"], env=env, capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert sorted(e["name"] for e in json.loads(listing.stdout)) == sorted(names)
    doctor = subprocess.run([HI, "doctor", "--offline", "--json"], env=env, capture_output=True, text=True,
                            timeout=120)
    checks = {c["name"]: c["status"] for c in json.loads(doctor.stdout)["checks"]}
    assert checks["database.integrity"] == "pass" and checks["database.migrations"] == "pass"

    import sqlite3

    copy = sqlite3.connect(target / "hi.sqlite3")
    rows = copy.execute("SELECT sensor_id, response_at, value FROM sense_sensorhistory").fetchall()
    assert len(rows) == manifest["counts"]["sense_sensorhistory"]
    live = sqlite3.connect(connection.settings_dict["NAME"])
    source = set(live.execute("SELECT sensor_id, response_at, value FROM sense_sensorhistory").fetchall())
    live.close()
    assert set(rows) <= source  # a consistent prefix of what the source holds: nothing invented, nothing torn
    states = dict(copy.execute("SELECT id, value FROM entity_entitystate").fetchall())
    latest = dict(copy.execute(
        "SELECT s.entity_state_id, h.value FROM sense_sensorhistory h JOIN sense_sensor s ON s.id = h.sensor_id "
        "WHERE h.response_at = (SELECT MAX(response_at) FROM sense_sensorhistory WHERE sensor_id = h.sensor_id)"
    ).fetchall())
    assert all(states[state] == value for state, value in latest.items())  # states agree with their history


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's stepwise online backup")
@pytest.mark.django_db(transaction=True)
def test_a_stepwise_sqlite_backup_sees_one_instant_while_ingest_commits(tmp_path, monkeypatch):
    import sqlite3
    import tarfile

    from hi.apps.ops import backup
    from hi.apps.ops.pacing import Pacer

    names = [f"sensor.s{i}" for i in range(20)]
    for name in names:
        make_device(name, S.TEMPERATURE, integration_id="hass", value=20.0)
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 4)  # many steps even for a small file
    stop, started = threading.Event(), threading.Event()

    class WaitsForCommits(Pacer):
        """Between steps: wait until the pipeline has committed another batch, so writes land mid-copy."""

        steps = 0

        def after(self, busy: float) -> None:
            WaitsForCommits.steps += 1
            if WaitsForCommits.steps <= 3:
                started.clear()
                assert started.wait(30)

    worker = threading.Thread(target=_ingest, args=(stop, started, names))
    worker.start()
    try:
        assert started.wait(30)
        archive = create_backup(tmp_path / "steps.tar", pacer=WaitsForCommits(0.0, 1.0))
    finally:
        stop.set()
        worker.join()
    assert WaitsForCommits.steps > 3
    with tarfile.open(archive) as tar:
        tar.extract(backup.SQLITE_MEMBER, tmp_path, filter="data")
    snapshot = sqlite3.connect(tmp_path / backup.SQLITE_MEMBER)
    assert snapshot.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [row[0] for row in snapshot.execute("SELECT id FROM sense_sensorhistory")]
    snapshot.close()
    # one instant: exactly the rows committed up to the newest one it holds, though more came during the copy
    assert len(ids) == SensorHistory.objects.filter(pk__lte=max(ids)).count()
    assert SensorHistory.objects.count() > len(ids)
