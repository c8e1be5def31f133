"""``hi restore``: verify an archive completely, then put its database, files and keys in place.

Order matters: the whole archive is extracted and checked (checksums, format, schema) before anything
in the data dir or database changes; an archive whose migrations this hi does not know is from a newer
release and is refused; after restoring an older archive the missing migrations are applied.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from .archive import BackupError, extract_verified
from .backup import PG_MEMBER, SQLITE_MEMBER, find_pg_tool, pg_environment


@dataclass
class RestoreReport:
    archive: str
    created_at: str
    vendor: str
    files: int = 0
    keys: list[str] = field(default_factory=list)
    migrations_applied: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def newer_migrations(archived: dict[str, list[str]]) -> list[str]:
    """Migrations in the archive that this hi does not have: the archive comes from a newer release."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, names in archived.items() for name in names if (app, name) not in known)


def target_has_data() -> bool:
    """True when the database or the data dir already holds a household (restoring would replace it)."""
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        return True
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in ("entity_entity", "auth_user", "integrations_integration"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cursor.fetchone():
                    return True
    return False


def hub_running() -> bool:
    from hi.apps.monitor.models import WorkerHeartbeat

    try:
        return any(row.is_alive(stale_after=30.0) for row in WorkerHeartbeat.objects.filter(stopped_at__isnull=True))
    except Exception:
        return False


def _restore_sqlite(extracted: Path) -> None:
    target = Path(connection.settings_dict["NAME"])
    connection.close()
    source = sqlite3.connect(str(extracted))
    destination = sqlite3.connect(str(target), timeout=30)
    try:  # the backup API replaces the destination's pages within one transaction, WAL and all
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _restore_postgres(extracted: Path) -> None:
    pg_restore = find_pg_tool("pg_restore")
    with connection.cursor() as cursor:  # the dump recreates every table: start from an empty schema
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()
    result = subprocess.run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error",
                             f"--dbname={connection.settings_dict['NAME']}", str(extracted)],
                            env=pg_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise BackupError(f"pg_restore failed: {lines[-1] if lines else result.returncode}")


def _restore_files(root: Path, report: RestoreReport) -> None:
    media_source = root / "files" / "media"
    media = Path(settings.MEDIA_ROOT)
    if media.exists():
        shutil.rmtree(media)
    if media_source.is_dir():
        shutil.copytree(media_source, media)
        report.files = sum(1 for p in media.rglob("*") if p.is_file())
    keys = root / "keys"
    if keys.is_dir():
        for path in sorted(keys.iterdir()):
            target = Path(settings.DATA_DIR) / path.name
            shutil.copyfile(path, target)
            os.chmod(target, 0o600)
            report.keys.append(path.name)


def restore(archive: Path, *, confirmed: bool = False, force_running: bool = False) -> RestoreReport:
    """Restore ``archive`` over this hub; refuses (changing nothing) unless every check passes."""
    archive = archive.resolve()
    with tempfile.TemporaryDirectory(prefix=".hi-restore-", dir=Path(settings.DATA_DIR)) as tmp:
        root = Path(tmp)
        manifest = extract_verified(archive, root)
        newer = newer_migrations(manifest.get("migrations", {}))
        if newer:
            raise BackupError(f"the archive comes from a newer hi (unknown migrations: {', '.join(newer[:5])}"
                              f"{'…' if len(newer) > 5 else ''}): upgrade hi, then restore")
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(f"the archive holds a {vendor} database but this hub uses {connection.vendor}: "
                              "restore on a hub with the same database, then use hi export / hi import to move")
        if not force_running and hub_running():
            raise BackupError("the hub is running (a worker heartbeat is fresh): stop it before restoring")
        if not confirmed and target_has_data():
            raise BackupError("this hub already has data: restoring replaces it; confirm with --yes")
        report = RestoreReport(str(archive), manifest["created_at"], vendor, counts=manifest.get("counts", {}))
        if vendor == "sqlite":
            _restore_sqlite(root / SQLITE_MEMBER)
        else:
            _restore_postgres(root / PG_MEMBER)
        _restore_files(root, report)
    report.migrations_applied = _migrate()
    return report


def _migrate() -> int:
    """Apply the migrations an older archive lacks; returns how many ran."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    connection.close()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        call_command("migrate", interactive=False, verbosity=0)
    return len(plan)


def describe(report: RestoreReport) -> dict[str, Any]:
    return {"archive": report.archive, "created_at": report.created_at, "vendor": report.vendor,
            "files": report.files, "keys": report.keys, "migrations_applied": report.migrations_applied,
            "counts": report.counts}
