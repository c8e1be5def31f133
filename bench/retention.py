"""Pruning old sensor history on SQLite while the pipeline ingests (the issue's target: ingest drops ≤ 20 %).

Builds a fresh SQLite file (WAL, incremental auto_vacuum), fills it with ``--rows`` readings 40 to 100
days old spread over the sensors, then measures: the ingest rate alone for ``--window`` seconds; the
ingest rate while ``retention.prune`` deletes every old row in a second thread (as the worker's
maintenance does), with prune throughput; the file size before and after the incremental vacuum.
Optionally (``--aggregate``) first times the hourly aggregation of all those rows.

    python bench/retention.py [--rows 10000000] [--history-sensors 50] [--window 20] [--batch 2000] [--pause 0.05]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from _support import setup_django
from ingest import build, stream


def fill(rows: int, sensors: int, db_path: Path) -> float:
    """Insert ``rows`` old numeric readings straight through sqlite3 (setup, not measured)."""
    import sqlite3

    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA synchronous=OFF")
    ids = [r[0] for r in connection.execute("SELECT id FROM sense_sensor ORDER BY id")][::3][:sensors]  # temperatures
    start = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=100)
    step = dt.timedelta(days=60) / max(1, rows)  # per sensor: one reading every len(ids) * step
    began = time.perf_counter()
    chunk = 200_000
    for offset in range(0, rows, chunk):
        batch = [(ids[n % len(ids)], str(20 + (n % 100) / 10), str(start + step * n), None)
                 for n in range(offset, min(rows, offset + chunk))]
        connection.executemany("INSERT INTO sense_sensorhistory (sensor_id, value, response_at, details) "
                               "VALUES (?, ?, ?, ?)", batch)
        connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    return time.perf_counter() - began


def size(db_path: Path) -> int:
    return sum(p.stat().st_size for p in (db_path, Path(f"{db_path}-wal")) if p.exists())


class Ingest:
    """Feeds the pipeline batch after batch and counts responses per time window."""

    def __init__(self, names: list[tuple[str, str]], batch: int) -> None:
        from hi.apps.sense.pipeline import SensorResponsePipeline

        self.pipeline = SensorResponsePipeline()
        self.source = stream(names, 10**9)
        self.batch = batch

    def run_while(self, keep_going) -> tuple[int, float]:
        done, started = 0, time.perf_counter()
        while keep_going(time.perf_counter() - started):
            self.pipeline.process([next(self.source) for _ in range(self.batch)])
            done += self.batch
        return done, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="old history rows to prune")
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--history-sensors", type=int, default=50,
                        help="sensors the old rows belong to (50 over 60 days: 10 M rows is one reading per ~26 s each)")
    parser.add_argument("--window", type=float, default=20.0, help="seconds of ingest for the baseline")
    parser.add_argument("--ingest-batch", type=int, default=500)
    parser.add_argument("--batch", type=int, default=2000, help="rows per prune transaction")
    parser.add_argument("--pause", type=float, default=0.05, help="seconds between prune batches")
    parser.add_argument("--aggregate", action="store_true", help="also time the hourly aggregation first")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-retention-"))
    try:
        setup_django(data_dir)
        from django.db import connection
        from django.utils import timezone

        from hi.apps.ops import retention
        from hi.apps.ops.rollup import AGGREGATED_THROUGH, aggregate_pending, set_marker

        db_path = Path(connection.settings_dict["NAME"])
        names = build(args.entities)
        connection.close()
        filled = fill(args.rows, args.history_sensors, db_path)
        before = size(db_path)
        print(f"setup: {args.rows:,} old rows over {args.history_sensors} sensors inserted in {filled:.0f} s; "
              f"file {before / 1e6:,.0f} MB; auto_vacuum={retention.sqlite_auto_vacuum()}")
        if args.aggregate:
            began = time.perf_counter()
            hours = aggregate_pending()
            took = time.perf_counter() - began
            print(f"aggregation: {hours:,} sensor-hours from {args.rows:,} rows in {took:.1f} s "
                  f"({args.rows / took:,.0f} rows/s)")
        else:
            set_marker(AGGREGATED_THROUGH, timezone.now())  # measure pruning alone
        ingest = Ingest(names, args.ingest_batch)
        ingest.run_while(lambda elapsed: elapsed < 2)  # warm up
        base_n, base_s = ingest.run_while(lambda elapsed: elapsed < args.window)
        base_rate = base_n / base_s

        result: dict = {}

        def prune() -> None:
            from django.db import connection as own

            began = time.perf_counter()
            result["report"] = retention.prune(batch=args.batch, pause=args.pause)
            result["prune_s"] = time.perf_counter() - began
            began = time.perf_counter()
            result["freed"] = retention.reclaim_space(pause=args.pause)
            result["vacuum_s"] = time.perf_counter() - began
            own.close()

        pruner = threading.Thread(target=prune)
        pruner.start()
        # the prune's figures are printed as soon as it ends: the incremental vacuum after it can be slow
        during_n, during_s = ingest.run_while(lambda elapsed: "prune_s" not in result)
        during_rate = during_n / max(during_s, 1e-9)
        report = result["report"]
        drop = 100 * (1 - during_rate / base_rate)
        print(f"ingest alone: {base_rate:,.0f} responses/s over {base_s:.0f} s")
        print(f"ingest while pruning: {during_rate:,.0f} responses/s over {during_s:.0f} s -> "
              f"{-drop:+.1f} % against ingest alone (target: drop <= 20 %: {'met' if drop <= 20 else 'NOT met'})")
        print(f"prune: {report.total:,} rows in {report.batches:,} batches of {args.batch} in {result['prune_s']:.1f} s "
              f"-> {report.total / result['prune_s']:,.0f} rows/s (pause {args.pause} s between batches)", flush=True)
        vacuum_n, vacuum_s = ingest.run_while(lambda elapsed: "vacuum_s" not in result)
        pruner.join()
        ingest.pipeline.shutdown()
        after = size(db_path)
        print(f"ingest while vacuuming: {vacuum_n / max(vacuum_s, 1e-9):,.0f} responses/s over {vacuum_s:.0f} s")
        print(f"incremental vacuum: {result['freed']:,} pages in {result['vacuum_s']:.1f} s; "
              f"file {before / 1e6:,.0f} MB before, {after / 1e6:,.0f} MB after")
        print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
