"""Refreshing SQLite's planner statistics on a large database while the pipeline ingests.

Builds a fresh SQLite file with ``--rows`` history readings (no statistics yet, as on a hub that never
ran ``ANALYZE``), then ingests without pause in a thread while the main thread runs the worker's
``refresh_statistics()`` a few times: the first run (which creates ``sqlite_stat1``) and later ones.
Prints how long each took, how long of that it held the write lock (the rest is waiting for it), and
how long ingest was held up: the longest ingest batch that overlapped
a refresh against the median batch. Then, for comparison, an unbounded ``ANALYZE`` (a full read of
every index, holding the write lock throughout).

    python bench/planner_stats.py [--rows 3000000] [--entities 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics as stats
import sys
import tempfile
import threading
import time
from pathlib import Path

from _support import setup_django
from ingest import build
from retention import Ingest, fill, mb, sizes


class Timed(Ingest):
    """Ingest batches in a thread, remembering when each began and ended."""

    def __init__(self, names: list[tuple[str, str]], batch: int) -> None:
        super().__init__(names, batch)
        self.batches: list[tuple[float, float]] = []
        self.stop = threading.Event()

    def loop(self) -> None:
        from django.db import connection

        try:
            while not self.stop.is_set():
                began = time.perf_counter()
                self.pipeline.process([next(self.source) for _ in range(self.batch)])
                self.batches.append((began, time.perf_counter()))
        finally:
            self.pipeline.shutdown()
            connection.close()

    def held_up(self, began: float, ended: float) -> tuple[float, float]:
        """(median batch seconds, longest batch overlapping [began, ended])."""
        durations = [b - a for a, b in self.batches]
        overlapping = [b - a for a, b in self.batches if a < ended and b > began]
        return stats.median(durations), max(overlapping, default=0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000, help="history rows in the database")
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--ingest-batch", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="refreshes while ingesting (the first creates the stats)")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-statistics-"))
    try:
        setup_django(data_dir)
        from django.db import connection

        from hi.apps.ops.statistics import refresh_statistics, sqlite_version

        db_path = Path(connection.settings_dict["NAME"])
        names = build(args.entities)
        connection.close()
        filled = fill(args.rows, 50, db_path)
        print(f"setup: {args.rows:,} history rows inserted in {filled:.0f} s; file {mb(sizes(db_path)[0])}; "
              f"SQLite {'.'.join(map(str, sqlite_version()))}", flush=True)
        ingest = Timed(names, args.ingest_batch)
        thread = threading.Thread(target=ingest.loop)
        thread.start()
        try:
            time.sleep(5)  # a few seconds of batches to compare with (a bench: nothing to await)
            for run in range(args.runs):
                began = time.perf_counter()
                result = refresh_statistics()
                ended = time.perf_counter()
                median, longest = ingest.held_up(began, ended)
                print(f"refresh {run + 1} ({result['ran']}, analysis_limit {result['analysis_limit']}, "
                      f"changed {result['changed']}): {1000 * (ended - began):.1f} ms, of which holding the write lock "
                      f"{1000 * result['write_lock_seconds']:.1f} ms; ingest batch of "
                      f"{args.ingest_batch}: median {1000 * median:.1f} ms, longest overlapping the refresh "
                      f"{1000 * longest:.1f} ms", flush=True)
                time.sleep(3)
        finally:
            ingest.stop.set()
            thread.join()
        connection.close()
        done = len(ingest.batches) * args.ingest_batch
        print(f"ingest meanwhile: {done:,} responses; history table now larger by that much at most")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit = 0")
            began = time.perf_counter()
            cursor.execute("ANALYZE")
            full = time.perf_counter() - began
        print(f"for comparison, an unbounded ANALYZE (hub idle): {full:.2f} s, all of it holding the write lock")
        print(f"machine: {os.cpu_count()} cpus, load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
