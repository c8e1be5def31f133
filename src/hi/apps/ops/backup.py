"""``hi backup``: a consistent snapshot of a running hub, in one archive.

SQLite: the online backup API copies the database a few megabytes per step, all steps inside one
read transaction that the source connection opens first: under WAL that blocks no writer, every
step sees the same instant, and the copy never restarts when the ingest pipeline commits (without
the open transaction a stepwise copy starts over after every commit by another connection; a
one-step copy cannot pause). Between steps, and while hashing and archiving, a pacer waits so the
backup takes at most ``HI_BACKUP_DUTY`` of the wall time and ingest keeps its pace.
PostgreSQL: ``pg_dump`` (at a lower CPU priority: its compression is the heavy part) runs on a
snapshot exported from a repeatable-read transaction, and the manifest's migrations and counts are
read in that same transaction, so they describe exactly what was dumped. Uploaded files and the
data dir's key files go in beside it.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

import hi

from .archive import (
    FORMAT,
    FORMAT_VERSION,
    PREFIX,
    SUFFIX,
    BackupError,
    backups_in,
    key_files,
    sha256_file,
    write_archive,
)
from .config import prune_settings
from .diskspace import check_room
from .pacing import Pacer

SQLITE_MEMBER = "database/hi.sqlite3"
PAGES_PER_STEP = 1024  # 4 MB of 4 KB pages per backup step
PG_MEMBER = "database/hi.pgdump"


def model_tables() -> list[str]:
    """Every table Django manages, plus its migration record."""
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    return sorted(tables | {"django_migrations"})


def _default_name(now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"{PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}{SUFFIX}"


def newest_backup(directory: Path) -> tuple[Path, dt.datetime] | None:
    """The newest finished backup in ``directory`` and when it was taken (from its name)."""
    for path in reversed(backups_in(directory)):
        stamp = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
        try:
            taken = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        return path, taken
    return None


def rotate(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups; returns what was deleted."""
    existing = backups_in(directory)
    doomed = existing[: max(0, len(existing) - keep)]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed


def _counts_and_migrations(cursor: Any, tables: list[str], existing: set[str],
                           quote: Any) -> tuple[dict[str, int], dict[str, list]]:
    counts: dict[str, int] = {}
    for table in tables:
        if table in existing:  # an app whose migrations have not run has no table in the snapshot
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = int(cursor.fetchone()[0])
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    return counts, migrations


def _snapshot_sqlite(staging: Path, pacer: Pacer) -> tuple[dict[str, int], dict[str, list]]:
    source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30, isolation_level=None)
    target_path = staging / SQLITE_MEMBER
    target_path.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(str(target_path))
    resumed = [time.monotonic()]

    def between_steps(status: int, remaining: int, total: int) -> None:
        pacer.after(time.monotonic() - resumed[0])
        resumed[0] = time.monotonic()

    try:
        source.execute("BEGIN")
        source.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()  # the snapshot starts here
        source.backup(target, pages=PAGES_PER_STEP, progress=between_steps)
        source.execute("COMMIT")
        target.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        existing = {row[0] for row in target.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return _counts_and_migrations(target.cursor(), model_tables(), existing,
                                      lambda n: '"' + n.replace('"', '""') + '"')
    finally:
        target.close()
        source.close()


def find_pg_tool(name: str) -> str:
    """The newest installed ``pg_dump``/``pg_restore``/``psql``; installs Debian's client when missing."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if candidates:
        return candidates[-1]
    found = shutil.which(name)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql-client"], check=False, env=env,
                       capture_output=True)
        found = shutil.which(name)
        if found:
            return found
    raise BackupError(f"{name} is not installed: install PostgreSQL's client (apt-get install postgresql-client)")


def pg_environment() -> dict[str, str]:
    """libpq variables for the configured database: the password travels in the environment, never argv."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": str(db["NAME"])}
    for key, var in (("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"), ("HOST", "PGHOST"), ("PORT", "PGPORT")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _snapshot_postgres(staging: Path) -> tuple[dict[str, int], dict[str, list]]:
    """pg_dump on a snapshot exported by a connection of our own (the caller may be inside a transaction)."""
    import psycopg

    target = staging / PG_MEMBER
    target.parent.mkdir(parents=True, exist_ok=True)
    pg_dump = find_pg_tool("pg_dump")
    db = connection.settings_dict
    params = {"dbname": db["NAME"], "user": db.get("USER"), "password": db.get("PASSWORD"),
              "host": db.get("HOST"), "port": db.get("PORT")}
    with psycopg.connect(**{k: str(v) for k, v in params.items() if v}) as own:
        own.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        own.read_only = True
        with own.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            nice = [found, "-n", "10"] if (found := shutil.which("nice")) else []
            result = subprocess.run([*nice, pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                                     f"--snapshot={snapshot}", f"--file={target}"],
                                    env=pg_environment(), capture_output=True, text=True)
            if result.returncode != 0:
                lines = result.stderr.strip().splitlines()
                raise BackupError(f"pg_dump failed: {lines[-1] if lines else result.returncode}")
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            existing = {row[0] for row in cursor.fetchall()}
            return _counts_and_migrations(cursor, model_tables(), existing, connection.ops.quote_name)


def _stage_files(staging: Path) -> None:
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        for path in sorted(media.rglob("*")):
            if path.is_file():
                target = staging / "files" / "media" / path.relative_to(media).as_posix()
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
    for path in key_files(Path(settings.DATA_DIR)):
        target = staging / "keys" / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def create_backup(path: Path | None = None, directory: Path | None = None, pacer: Pacer | None = None) -> Path:
    """Snapshot database, files and keys into one archive; returns its path.

    ``path`` may be a file name or an existing directory (a timestamped name is made inside it);
    ``pacer`` (default: ``HI_BACKUP_DUTY``) keeps the work to a share of the time. Raises
    ``NotEnoughSpace`` before writing anything when the destination or the database's folder lacks room.
    """
    if pacer is None:
        pacer = Pacer(0.0, prune_settings()["backup_duty"].value)
    if path is None or path.is_dir():
        base = path or directory or Path(settings.DATA_DIR) / "backups"
        path = base / _default_name()
    path = path.resolve()
    check_room(path.parent)  # before anything is written: refuses rather than fill the disk (diskspace.py)
    path.parent.mkdir(parents=True, exist_ok=True)
    taken_at = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(prefix=".hi-backup-", dir=path.parent) as tmp:
        staging = Path(tmp)
        vendor = connection.vendor
        if vendor == "sqlite":
            counts, migrations = _snapshot_sqlite(staging, pacer)
            member = SQLITE_MEMBER
        elif vendor == "postgresql":
            counts, migrations = _snapshot_postgres(staging)
            member = PG_MEMBER
        else:
            raise BackupError(f"backups of {vendor} databases are not supported")
        _stage_files(staging)
        files = {p.relative_to(staging).as_posix(): {"sha256": sha256_file(p, pacer), "size": p.stat().st_size}
                 for p in sorted(staging.rglob("*")) if p.is_file()}
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "hi_version": hi.__version__,
            "created_at": taken_at.isoformat(), "database": {"vendor": vendor, "member": member},
            "migrations": migrations, "counts": counts, "files": files,
        }
        return write_archive(path, staging, manifest, pacer)
