"""``hi vacuum``: switch an existing SQLite file to incremental auto_vacuum and compact it (hub stopped)."""

from __future__ import annotations

from pathlib import Path

from django.db import connection


def vacuum() -> dict[str, object]:
    """VACUUM rewrites the file (it needs as much free disk again), which is why the worker never does it."""
    if connection.vendor != "sqlite":
        return {"auto_vacuum": "n/a (PostgreSQL's autovacuum manages space)", "before": 0, "after": 0}
    path = Path(connection.settings_dict["NAME"])
    before = path.stat().st_size
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")
        cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("PRAGMA auto_vacuum")
        mode = int(cursor.fetchone()[0])
    return {"auto_vacuum": {0: "none", 1: "full", 2: "incremental"}.get(mode, str(mode)), "before": before,
            "after": path.stat().st_size}
