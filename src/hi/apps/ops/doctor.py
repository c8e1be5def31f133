"""``hi doctor``: one line per check, pass / warn / fail, so a household knows what needs doing.

Checks the database (connection, integrity, migrations, WAL size, auto_vacuum, when the maintenance
last refreshed the query planner's statistics), free disk, room for the next backup, the data
dir's permissions, the secret key, the worker heartbeat, each active integration's health (its
credentials show there) and reachability, clock skew against integrations whose servers send a
``Date`` header, the age of the newest backup, and a scheduled backup refused for lack of disk space
(else whether the next one would have room).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from hi.utils.redaction import redact

PASS, WARN, FAIL = "pass", "warn", "fail"
ORDER = {PASS: 0, WARN: 1, FAIL: 2}
WAL_WARN_BYTES = 256 * 1024 * 1024
SKEW_WARN_S, SKEW_FAIL_S = 30.0, 300.0


@dataclass
class Check:
    name: str
    status: str
    message: str


def _database_connects() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    name = connection.settings_dict["NAME"]
    where = name if connection.vendor == "sqlite" else f"{connection.settings_dict.get('HOST') or 'local'}/{name}"
    return Check("database.connection", PASS, f"{connection.vendor} at {where}")


def _database_integrity() -> Check:
    if connection.vendor != "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            recovering = cursor.fetchone()[0]
        return Check("database.integrity", WARN if recovering else PASS,
                     "server is in recovery (read only)" if recovering else "server accepts writes")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA quick_check")
        rows = [r[0] for r in cursor.fetchall()]
    if rows == ["ok"]:
        return Check("database.integrity", PASS, "quick_check ok")
    return Check("database.integrity", FAIL, f"quick_check: {'; '.join(rows[:3])} — restore from a backup")


def _migrations() -> Check:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    applied = set(executor.loader.applied_migrations)
    unknown = sorted(f"{a}.{n}" for a, n in applied - set(executor.loader.disk_migrations))
    if unknown:
        return Check("database.migrations", FAIL, f"database is newer than this hi ({', '.join(unknown[:3])})")
    if plan:
        return Check("database.migrations", WARN, f"{len(plan)} migrations pending: hi manage migrate")
    return Check("database.migrations", PASS, f"{len(applied)} applied, none pending")


def _wal_and_vacuum() -> list[Check]:
    if connection.vendor != "sqlite":
        return [Check("database.vacuum", PASS, "PostgreSQL autovacuum makes pruned space reusable")]
    checks = []
    wal = Path(str(connection.settings_dict["NAME"]) + "-wal")
    size = wal.stat().st_size if wal.exists() else 0
    checks.append(Check("database.wal", WARN if size > WAL_WARN_BYTES else PASS,
                        f"WAL file {size / 1e6:.1f} MB" + (" (a long reader may block checkpoints)"
                                                           if size > WAL_WARN_BYTES else "")))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA auto_vacuum")
        mode = int(cursor.fetchone()[0])
    checks.append(Check("database.auto_vacuum", PASS if mode == 2 else WARN,
                        "incremental" if mode == 2 else "off: the file never shrinks; stop the hub and run hi vacuum"))
    return checks


def _statistics() -> Check:
    """The worker's last refresh of the planner's statistics (a plan made without them can crawl)."""
    from .config import prune_settings
    from .statistics import last_refresh, postgres_autovacuum_on

    if connection.vendor != "sqlite":
        if postgres_autovacuum_on():
            return Check("database.statistics", PASS, "PostgreSQL's autovacuum analyzes changed tables")
        return Check("database.statistics", WARN, "autovacuum is off: turn it on, or run ANALYZE regularly")
    last = last_refresh()
    if last is None:
        return Check("database.statistics", WARN, "never refreshed: the worker does it when it starts and at every "
                                                  "maintenance pass (is hi run running?)")
    age = timezone.now() - last[0]
    text = f"refreshed {age.total_seconds() / 60:.0f} min ago in {last[1]} ms"
    stale = dt.timedelta(seconds=max(3 * prune_settings()["interval"].value, 24 * 3600))
    if age > stale:
        return Check("database.statistics", WARN, text + " (maintenance passes are not running)")
    return Check("database.statistics", PASS, text)


def _disk() -> Check:
    usage = shutil.disk_usage(settings.DATA_DIR)
    free_pct = 100 * usage.free / usage.total if usage.total else 0
    text = f"{usage.free / 1e9:.1f} GB free ({free_pct:.0f} %) on the data dir's file system"
    if usage.free < 200e6 or free_pct < 1:
        return Check("disk.free", FAIL, text)
    if usage.free < 1e9 or free_pct < 10:
        return Check("disk.free", WARN, text)
    return Check("disk.free", PASS, text)


def _data_dir() -> Check:
    data = Path(settings.DATA_DIR)
    mode = stat.S_IMODE(data.stat().st_mode)
    if not os.access(data, os.W_OK):
        return Check("data_dir.permissions", FAIL, f"{data} is not writable by this user")
    if mode & stat.S_IWOTH:
        return Check("data_dir.permissions", FAIL, f"{data} is writable by everyone (mode {mode:o}): chmod 700")
    if mode & (stat.S_IROTH | stat.S_IXOTH):
        return Check("data_dir.permissions", WARN, f"{data} is readable by everyone (mode {mode:o}): chmod 700")
    return Check("data_dir.permissions", PASS, f"{data} (mode {mode:o})")


def _secret_key() -> Check:
    if os.environ.get("HI_SECRET_KEY"):
        return Check("secrets.key", PASS, "from HI_SECRET_KEY")
    key = Path(settings.DATA_DIR) / "secret_key"
    if not key.exists():
        return Check("secrets.key", FAIL, f"{key} is missing")
    mode = stat.S_IMODE(key.stat().st_mode)
    if mode & 0o077:
        return Check("secrets.key", WARN, f"{key} is readable by others (mode {mode:o}): chmod 600")
    return Check("secrets.key", PASS, f"{key} (mode {mode:o}); it is in every backup")


def _worker() -> Check:
    from hi.apps.monitor.models import worker_status

    status = worker_status()
    if status["running"]:
        return Check("worker.heartbeat", PASS, f"{status['worker_id']} heard at {status['heartbeat_at']}")
    if status["worker_id"] is None:
        return Check("worker.heartbeat", WARN, "no worker has ever run: start hi run")
    return Check("worker.heartbeat", WARN, f"last heard at {status['heartbeat_at']}: is hi run running?")


def _integrations(probe: bool) -> list[Check]:
    from hi.integrations.enums import AttributeType, HealthStatus, IntegrationStatus
    from hi.integrations.models import Integration

    checks = []
    for integration in Integration.objects.filter(status=IntegrationStatus.ACTIVE).prefetch_related("attributes"):
        iid = integration.integration_id
        health = integration.health_status
        level = {HealthStatus.HEALTHY: PASS, HealthStatus.ERROR: FAIL}.get(health, WARN)
        checks.append(Check(f"integration.{iid}.health", level,
                            f"{health}: {integration.health_message or integration.last_error or 'no message'}"))
        urls = [a.value for a in integration.attributes.all() if a.value_type == AttributeType.URL and a.value]
        if probe and urls:
            checks.extend(_probe(iid, urls[0]))
    return checks


def _probe(iid: str, url: str) -> list[Check]:
    """Reachability and clock skew from one plain GET (any HTTP answer means reachable)."""
    import httpx

    try:
        response = httpx.get(url, timeout=5.0, follow_redirects=False)
    except httpx.HTTPError as exc:
        return [Check(f"integration.{iid}.reachable", FAIL, f"cannot reach its server: {type(exc).__name__}")]
    checks = [Check(f"integration.{iid}.reachable", PASS, f"server answered HTTP {response.status_code}")]
    date = response.headers.get("date")
    if date:
        try:
            skew = abs((email.utils.parsedate_to_datetime(date) - timezone.now()).total_seconds())
        except (TypeError, ValueError):
            return checks
        level = FAIL if skew > SKEW_FAIL_S else WARN if skew > SKEW_WARN_S else PASS
        checks.append(Check(f"integration.{iid}.clock", level, f"clock differs by {skew:.0f} s"))
    return checks


def _backups() -> Check:
    from .backup import newest_backup
    from .config import backup_dir, backup_settings

    interval = backup_settings()["interval_hours"].value
    newest = newest_backup(backup_dir())
    if newest is None:
        return Check("backups.latest", WARN, f"no backup in {backup_dir()}: run hi backup")
    age = timezone.now() - newest[1]
    text = f"{newest[0].name}, {age.total_seconds() / 3600:.1f} h old"
    if interval > 0 and age > dt.timedelta(hours=2 * interval):
        return Check("backups.latest", WARN, text + " (scheduled backups are not running)")
    return Check("backups.latest", PASS, text)


def _backup_room() -> Check:
    """A scheduled backup refused for lack of disk space, else whether the next one has room."""
    from .config import backup_dir
    from .diskspace import explain, plan
    from .maintenance import backup_refused

    refused = backup_refused()
    if refused is not None:
        return Check("backups.space", FAIL, f"the scheduled backup at {refused[0]:%Y-%m-%d %H:%M} UTC was refused: "
                                            f"{refused[1]}")
    short = [p for p in plan(backup_dir()) if p.short]
    if short:
        return Check("backups.space", WARN, "the next backup would be refused: " + " | ".join(map(explain, short)))
    return Check("backups.space", PASS, f"room for a backup in {backup_dir()}")


def run_checks(probe: bool = True) -> list[Check]:
    """Every check; a check that raises becomes a failure line rather than ending the run."""
    steps: list[Callable[[], Check | list[Check]]] = [
        _database_connects, _database_integrity, _migrations, _wal_and_vacuum, _statistics, _disk, _data_dir, _secret_key,
        _worker, lambda: _integrations(probe), _backups, _backup_room]
    results: list[Check] = []
    for step in steps:
        try:
            outcome = step()
        except Exception as exc:
            name = getattr(step, "__name__", "check").strip("_").replace("_", ".")
            text = redact(str(exc)).splitlines()[0] if str(exc) else ""  # a connection error may carry a password
            outcome = Check(name, FAIL, f"{type(exc).__name__}: {text}")
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results


def overall(checks: list[Check]) -> str:
    return max((c.status for c in checks), key=ORDER.__getitem__, default=PASS)


def as_json(checks: list[Check]) -> dict:
    return {"status": overall(checks), "checks": [asdict(c) for c in checks]}
