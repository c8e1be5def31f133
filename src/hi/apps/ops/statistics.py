"""Keeping the query planner's statistics fresh, so no query runs on a plan made without them.

SQLite only plans with statistics once ``ANALYZE`` has filled ``sqlite_stat1``; without them it
guesses, and once it guessed the event recorder's open-events lookup into walking every event a
state ever had. The worker therefore refreshes the statistics when it starts and at every
maintenance pass, bounded by ``PRAGMA analysis_limit`` so that even the first run on a database of
millions of rows looks at about that many rows per index and holds the write lock for milliseconds,
not for a full scan (an unbounded ``ANALYZE`` reads every index completely while ingest waits).

* SQLite 3.46 and later: ``PRAGMA optimize=0x10002`` (bit 0x10000: judge every table, not only
  those this connection queried, since the maintenance connection queries almost none); SQLite
  decides which tables need it.
* Older SQLite (Debian 12 ships 3.40): ``PRAGMA optimize`` there only considers tables this very
  connection has used, so on the maintenance connection it does nothing; a bounded ``ANALYZE`` of
  the whole database is run instead (measured cheap: see ``bench/planner_stats.py``).
* PostgreSQL: nothing to do while autovacuum is on, as it is by default; its auto-analyze refreshes
  a table's statistics after a share of its rows changed. ``hi doctor`` warns when it is off.

Other connections only read the statistics when they load the schema: the first ``ANALYZE`` creates
``sqlite_stat1``, a schema change every connection notices, but a later one that merely updates its
rows goes unnoticed by long-lived connections (the ingest pipeline's lives as long as the worker;
measured on SQLite 3.40). So when the statistics changed, the same transaction creates and drops an
empty table: the schema cookie moves and every connection, in every process, reloads the schema
and the statistics before its next statement (a few milliseconds each, once per maintenance pass).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

logger = logging.getLogger("hi.ops.statistics")

ANALYSIS_LIMIT = 400  # rows per index; SQLite's documentation suggests 100-1000
MARKER = "statistics_refreshed"  # OpsMarker: when, and how long it took (ms)
OPTIMIZE_ALL_TABLES = 0x10002  # 0x2: analyze tables that may benefit; 0x10000: consider every table
OPTIMIZE_ALL_TABLES_SINCE = (3, 46, 0)
RELOAD_TABLE = "hi_statistics_reload"  # created and dropped in one transaction: never seen by anyone


def sqlite_version() -> tuple[int, ...]:
    return tuple(connection.Database.sqlite_version_info)


def refresh_statistics(limit: int = ANALYSIS_LIMIT) -> dict[str, Any]:
    """Refresh the planner's statistics where the database needs us to; records when it ran and how long it took."""
    if connection.vendor != "sqlite":
        return {"vendor": connection.vendor, "ran": None,
                "why": "PostgreSQL's autovacuum analyzes changed tables (hi doctor warns when it is off)"}
    if sqlite_version() >= OPTIMIZE_ALL_TABLES_SINCE:
        statement = f"PRAGMA optimize = {OPTIMIZE_ALL_TABLES:#x}"
    else:
        statement = "ANALYZE"
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA analysis_limit = {int(limit)}")
        try:
            with transaction.atomic():  # BEGIN IMMEDIATE (the settings' transaction mode): one short write
                locked = time.perf_counter()  # from here until the commit, ingest waits for us
                before = _stat1(cursor)
                cursor.execute(statement)
                changed = _stat1(cursor) != before
                if changed and before:  # a first run created sqlite_stat1: that already moved the schema cookie
                    cursor.execute(f"CREATE TABLE {RELOAD_TABLE} (x INTEGER)")
                    cursor.execute(f"DROP TABLE {RELOAD_TABLE}")
            held = time.perf_counter() - locked
        finally:
            cursor.execute("PRAGMA analysis_limit = 0")  # the connection may be reused for other work
    took = time.perf_counter() - began
    _record(took)
    logger.debug("statistics refreshed with %s in %.3f s (changed: %s)", statement, took, changed)
    return {"vendor": "sqlite", "ran": statement, "analysis_limit": limit, "changed": changed,
            "seconds": round(took, 4), "write_lock_seconds": round(held, 4)}


def _stat1(cursor: Any) -> list[tuple[str, str, str]]:
    cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
    if cursor.fetchone() is None:
        return []
    cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx")
    return [tuple(row) for row in cursor.fetchall()]


def _record(seconds: float) -> None:
    from .models import OpsMarker

    OpsMarker.objects.update_or_create(name=MARKER, defaults={"at": timezone.now(),
                                                              "number": round(seconds * 1000)})


def last_refresh() -> tuple[Any, int] | None:
    """(when, milliseconds) of the last refresh, or None when it never ran."""
    from .models import OpsMarker

    marker = OpsMarker.objects.filter(name=MARKER).first()
    return None if marker is None else (marker.at, int(marker.number or 0))


def postgres_autovacuum_on() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return str(cursor.fetchone()[0]).lower() == "on"
