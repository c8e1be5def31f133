"""Backup of a large SQLite database while the pipeline ingests, then restore into a fresh data dir.

Builds a fresh SQLite file of about ``--size-mb`` (default 2048, the issue's 2 GB) of sensor history,
then ingests without pause while ``create_backup`` runs in a second thread (as the scheduled backup
does in the worker) every other ``--window`` seconds: alone and backup windows alternate in one run
(the backup is paused, not restarted, in between: its read transaction stays open), so both rates
see the same machine load. Prints both rates, the backup's time in its windows, the archive's size,
and the time ``hi restore`` takes to verify and restore it into an empty data dir.

    python bench/backup.py [--size-mb 2048] [--window 5] [--duty 0.25]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import setup_django
from ingest import build
from retention import Alternating, Ingest, sizes


def grow(db_path: Path, target_bytes: int, sensors: int) -> int:
    """Append readings through sqlite3 until the file reaches ``target_bytes``; returns rows written."""
    import sqlite3

    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA synchronous=OFF")
    ids = [r[0] for r in connection.execute("SELECT id FROM sense_sensor ORDER BY id")][::3][:sensors]
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=25)
    written, chunk = 0, 200_000
    while sum(sizes(db_path)) < target_bytes:
        batch = [(ids[n % len(ids)], str(20 + (n % 100) / 10), str(start + dt.timedelta(milliseconds=n * 10)),
                  '{"source": "bench"}') for n in range(written, written + chunk)]
        connection.executemany("INSERT INTO sense_sensorhistory (sensor_id, value, response_at, details) "
                               "VALUES (?, ?, ?, ?)", batch)
        connection.commit()
        written += chunk
        if written % (chunk * 10) == 0:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=2048, help="database size to back up")
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--window", type=float, default=5.0, help="seconds of each alone / backup window")
    parser.add_argument("--duty", type=float, default=None, help="the backup's share of the time "
                        "(default: the setting, HI_BACKUP_DUTY)")
    parser.add_argument("--ingest-batch", type=int, default=500)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-backup-"))
    restore_dir = Path(tempfile.mkdtemp(prefix="hi-bench-restore-"))
    try:
        setup_django(data_dir)
        from django.db import connection

        from hi.apps.ops.backup import create_backup
        from hi.apps.ops.config import prune_settings
        from hi.apps.ops.pacing import Pacer

        db_path = Path(connection.settings_dict["NAME"])
        names = build(args.entities)
        connection.close()
        began = time.perf_counter()
        rows = grow(db_path, args.size_mb * 1024 * 1024, 50)
        print(f"setup: {rows:,} history rows, database {sum(sizes(db_path)) / 1e6:,.0f} MB in "
              f"{time.perf_counter() - began:.0f} s", flush=True)
        ingest = Ingest(names, args.ingest_batch)
        ingest.run_while(lambda elapsed: elapsed < 2)
        duty = args.duty if args.duty is not None else prune_settings()["backup_duty"].value
        windows = Alternating(ingest, args.window, db_path)
        archive, spent = windows.run(lambda should_stop: create_backup(
            data_dir / "bench-backup.tar", pacer=Pacer(0.0, duty, should_stop)))
        ingest.pipeline.shutdown()
        print(windows.summary(f"backing up (duty {duty:g})"))
        print(f"backup: {spent:.1f} s of backup windows for {sum(sizes(db_path)) / 1e6:,.0f} MB -> archive "
              f"{archive.stat().st_size / 1e6:,.0f} MB; WAL at most {windows.peak_wal / 1e6:,.0f} MB seen", flush=True)
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env.update(HI_DATA_DIR=str(restore_dir), HI_BACKUP_INTERVAL_HOURS="0")
        hi = str(Path(sys.executable).with_name("hi"))
        began = time.perf_counter()
        done = subprocess.run([hi, "restore", str(archive), "--json"], env=env, capture_output=True, text=True)
        took = time.perf_counter() - began
        if done.returncode != 0:
            print(f"restore FAILED: {done.stderr.strip()}")
            return 1
        restored = json.loads(done.stdout)
        print(f"restore (hi restore into an empty data dir, checksums verified first): {took:.1f} s; "
              f"{restored['counts']['sense_sensorhistory']:,} history rows")
        print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        shutil.rmtree(restore_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
