"""Pruning old sensor history on SQLite while the pipeline ingests (the issue's target: ingest drops ≤ 20 %).

Builds a fresh SQLite file (WAL, incremental auto_vacuum), fills it with ``--rows`` readings 40 to 100
days old spread over the sensors, then ingests without pause while the pruner runs in a second
thread (as the worker's maintenance does) every other ``--window`` seconds: "alone" windows and
"pruning" windows alternate in the same run until every old row is gone, so both rates see the same
machine load and the same (growing) database. Prints the two ingest rates, the prune's throughput and
its share of the write lock, the file and WAL sizes, then the same for the incremental vacuum.
Optionally (``--aggregate``) first times the hourly aggregation of all those rows.

    python bench/retention.py [--rows 10000000] [--history-sensors 50] [--window 5] [--batch 2000] [--duty 0.1]
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
from collections.abc import Callable
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


def sizes(db_path: Path) -> tuple[int, int]:
    """(main file, WAL file) in bytes."""
    wal = Path(f"{db_path}-wal")
    return db_path.stat().st_size, wal.stat().st_size if wal.exists() else 0


def pages(connection) -> str:
    """How much of the file is free pages, and how many history rows it holds (the ingest keeps adding)."""
    from hi.apps.sense.models import SensorHistory

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        total = cursor.fetchone()[0]
        cursor.execute("PRAGMA freelist_count")
        free = cursor.fetchone()[0]
    return f"{free:,} of {total:,} pages free, {SensorHistory.objects.count():,} history rows"


def mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


class Ingest:
    """Feeds the pipeline batch after batch and counts responses per time window."""

    def __init__(self, names: list[tuple[str, str]], batch: int) -> None:
        from hi.apps.sense.pipeline import SensorResponsePipeline

        self.pipeline = SensorResponsePipeline()
        self.source = stream(names, 10**9)
        self.batch = batch

    def run_while(self, keep_going: Callable[[float], bool]) -> tuple[int, float]:
        done, started = 0, time.perf_counter()
        while keep_going(time.perf_counter() - started):
            self.pipeline.process([next(self.source) for _ in range(self.batch)])
            done += self.batch
        return done, time.perf_counter() - started


class Alternating:
    """Alone / busy windows of ingest, summed separately, while one piece of work runs in a thread.

    The work is paused, not stopped, in the alone windows: its ``should_stop`` callback parks it at
    the gate (between two of its transactions), so it resumes where it was, as the worker's would.
    """

    def __init__(self, ingest: Ingest, window: float, db_path: Path, progress_every: float = 60.0) -> None:
        self.ingest, self.window, self.db_path = ingest, window, db_path
        self.progress_every = progress_every  # a long run prints its figures so far this often (0: never)
        self.alone = [0, 0.0]
        self.busy = [0, 0.0]
        self.peak_wal = 0
        self.loads: list[float] = []
        self.open = threading.Event()
        self.parked = threading.Event()

    def should_stop(self) -> bool:
        """The work's stop callback: blocks while an alone window runs, never asks it to stop."""
        if not self.open.is_set():
            self.parked.set()
            self.open.wait()
            self.parked.clear()
        return False

    def run(self, work: Callable[[Callable[[], bool]], object]) -> tuple[object, float]:
        """Alternate until ``work(should_stop)`` returns; returns its result and the busy windows' time."""
        outcome: dict[str, object] = {}

        def target() -> None:
            from django.db import connection as own

            try:
                outcome["result"] = work(self.should_stop)
            except BaseException as error:
                outcome["error"] = error
                raise
            finally:
                own.close()

        thread = threading.Thread(target=target)
        thread.start()  # parks at its first check: the gate is closed
        began = last_report = time.monotonic()
        while thread.is_alive():
            n, s = self.ingest.run_while(lambda elapsed: elapsed < self.window)
            self.alone[0] += n
            self.alone[1] += s
            self.open.set()
            # ingest on after the window until the work is parked again (it finishes its transaction)
            n, s = self.ingest.run_while(lambda elapsed: self._busy_goes_on(elapsed, thread))
            self.busy[0] += n
            self.busy[1] += s
            self.peak_wal = max(self.peak_wal, sizes(self.db_path)[1])
            self.loads.append(os.getloadavg()[0])
            if self.progress_every and time.monotonic() - last_report >= self.progress_every:
                last_report = time.monotonic()
                print(f"  after {last_report - began:,.0f} s: {self.summary('busy')}", flush=True)
        thread.join()
        if "error" in outcome:
            raise RuntimeError("the work in the background failed") from outcome["error"]
        return outcome["result"], self.busy[1]

    def _busy_goes_on(self, elapsed: float, thread: threading.Thread) -> bool:
        if elapsed < self.window:
            return True
        self.open.clear()
        return thread.is_alive() and not self.parked.is_set()

    def summary(self, what: str) -> str:
        alone, busy = self.alone[0] / max(self.alone[1], 1e-9), self.busy[0] / max(self.busy[1], 1e-9)
        drop = 100 * (1 - busy / alone)
        return (f"ingest alone: {alone:,.0f} responses/s over {self.alone[1]:.0f} s; while {what}: {busy:,.0f} "
                f"responses/s over {self.busy[1]:.0f} s -> {-drop:+.1f} % (target: drop <= 20 %: "
                f"{'met' if drop <= 20 else 'NOT met'}); load average {min(self.loads):.1f}-{max(self.loads):.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="old history rows to prune")
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--history-sensors", type=int, default=50,
                        help="sensors the old rows belong to (50 over 60 days: 10 M rows is one reading per ~26 s each)")
    parser.add_argument("--window", type=float, default=5.0, help="seconds of each alone / pruning window")
    parser.add_argument("--ingest-batch", type=int, default=500)
    parser.add_argument("--batch", type=int, default=2000, help="rows per prune transaction")
    parser.add_argument("--pause", type=float, default=0.05, help="least seconds between prune batches")
    parser.add_argument("--duty", type=float, default=None, help="most share of time in delete transactions "
                        "(default: the setting, HI_PRUNE_DUTY)")
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
        before = sizes(db_path)[0]
        print(f"setup: {args.rows:,} old rows over {args.history_sensors} sensors inserted in {filled:.0f} s; "
              f"file {mb(before)}; auto_vacuum={retention.sqlite_auto_vacuum()}", flush=True)
        if args.aggregate:
            began = time.perf_counter()
            hours = aggregate_pending()
            took = time.perf_counter() - began
            print(f"aggregation: {hours:,} sensor-hours from {args.rows:,} rows in {took:.1f} s "
                  f"({args.rows / took:,.0f} rows/s)", flush=True)
        else:
            set_marker(AGGREGATED_THROUGH, timezone.now())  # measure pruning alone
        ingest = Ingest(names, args.ingest_batch)
        ingest.run_while(lambda elapsed: elapsed < 2)  # warm up
        pruning = Alternating(ingest, args.window, db_path)
        report, spent = pruning.run(lambda should_stop: retention.prune(
            batch=args.batch, pause=args.pause, duty=args.duty, should_stop=should_stop))
        main_size, wal = sizes(db_path)
        print(pruning.summary("pruning"))
        print(f"prune: {report.total:,} rows in {report.batches:,} batches of {args.batch} in {spent:.1f} s of "
              f"pruning windows -> {report.total / max(spent, 1e-9):,.0f} rows/s; holding the write lock "
              f"{report.busy:.1f} s ({100 * report.busy / max(spent, 1e-9):.0f} % of the time, "
              f"{1000 * report.busy / max(1, report.batches):.0f} ms a batch)")
        print(f"file: {mb(before)} before, {mb(main_size)} after pruning (WAL {mb(wal)} now, "
              f"at most {mb(pruning.peak_wal)} seen); {pages(connection)}", flush=True)
        vacuuming = Alternating(ingest, args.window, db_path)
        freed, spent = vacuuming.run(lambda should_stop: retention.reclaim_space(
            pause=args.pause, duty=args.duty, should_stop=should_stop))
        ingest.pipeline.shutdown()
        main_size, wal = sizes(db_path)
        print(vacuuming.summary("vacuuming"))
        print(f"incremental vacuum: {freed:,} pages in {spent:.1f} s of vacuum windows; file "
              f"{mb(before)} before, {mb(main_size)} after (WAL {mb(wal)} now, at most {mb(vacuuming.peak_wal)} seen); "
              f"{pages(connection)}")
        print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
