"""Backup of a large SQLite database while the pipeline ingests, then restore into a fresh data dir.

Builds a fresh SQLite file of about ``--size-mb`` (default 2048, the issue's 2 GB) of sensor history,
then measures: the ingest rate alone for ``--window`` seconds; ``hi backup``'s duration and the ingest
rate while it runs in a second thread (as the scheduled backup does in the worker); the archive's size;
and the time ``hi restore`` takes to verify and restore it into an empty data dir.

    python bench/backup.py [--size-mb 2048] [--window 20]
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
import threading
import time
from pathlib import Path

from _support import setup_django
from ingest import build
from retention import Ingest, size


def grow(db_path: Path, target_bytes: int, sensors: int) -> int:
    """Append readings through sqlite3 until the file reaches ``target_bytes``; returns rows written."""
    import sqlite3

    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA synchronous=OFF")
    ids = [r[0] for r in connection.execute("SELECT id FROM sense_sensor ORDER BY id")][::3][:sensors]
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=25)
    written, chunk = 0, 200_000
    while size(db_path) < target_bytes:
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
    parser.add_argument("--window", type=float, default=20.0, help="seconds of ingest for the baseline")
    parser.add_argument("--ingest-batch", type=int, default=500)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-backup-"))
    restore_dir = Path(tempfile.mkdtemp(prefix="hi-bench-restore-"))
    try:
        setup_django(data_dir)
        from django.db import connection

        from hi.apps.ops.backup import create_backup

        db_path = Path(connection.settings_dict["NAME"])
        names = build(args.entities)
        connection.close()
        began = time.perf_counter()
        rows = grow(db_path, args.size_mb * 1024 * 1024, 50)
        print(f"setup: {rows:,} history rows, database {size(db_path) / 1e6:,.0f} MB in {time.perf_counter() - began:.0f} s")
        ingest = Ingest(names, args.ingest_batch)
        ingest.run_while(lambda elapsed: elapsed < 2)
        base_n, base_s = ingest.run_while(lambda elapsed: elapsed < args.window)
        result: dict = {}

        def backup() -> None:
            from django.db import connection as own

            began = time.perf_counter()
            result["path"] = create_backup(data_dir / "bench-backup.tar")
            result["seconds"] = time.perf_counter() - began
            own.close()

        worker = threading.Thread(target=backup)
        worker.start()
        during_n, during_s = ingest.run_while(lambda elapsed: "seconds" not in result)
        worker.join()
        ingest.pipeline.shutdown()
        archive: Path = result["path"]
        base_rate, during_rate = base_n / base_s, during_n / during_s
        print(f"ingest alone: {base_rate:,.0f} responses/s over {base_s:.0f} s")
        print(f"backup: {result['seconds']:.1f} s for {size(db_path) / 1e6:,.0f} MB -> archive "
              f"{archive.stat().st_size / 1e6:,.0f} MB")
        print(f"ingest during backup: {during_rate:,.0f} responses/s over {during_s:.0f} s -> "
              f"{100 * (during_rate / base_rate - 1):+.1f} % against ingest alone")
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
