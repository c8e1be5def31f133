"""Operations commands: backup, restore, export, import, doctor, prune, vacuum, install-service."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .output import emit_json, say, table

# commands that must not migrate first: doctor reports pending migrations, the service ones need no database
NO_MIGRATE = {"doctor", "install-service", "uninstall-service"}


def _when(text: str) -> dt.datetime:
    """An ISO 8601 date or time in range (naive: UTC); argparse names the option when it is refused."""
    from hi.utils.params import ParameterError, parse_datetime

    try:
        return parse_datetime(text, "time", default_zone=dt.UTC)
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("time: ")) from exc


def add_commands(sub: argparse._SubParsersAction, command: Callable[..., argparse.ArgumentParser]) -> None:
    backup = command(sub, "backup", backup_cmd, "a consistent snapshot of database, files and keys in one archive")
    backup.add_argument("path", nargs="?", type=Path, metavar="PATH",
                        help="archive file or directory (default: the backup dir)")
    backup.add_argument("--keep", type=int, default=None, help="then delete all but the newest N in that directory")
    restore = command(sub, "restore", restore_cmd, "restore an archive made by hi backup (the hub stopped)")
    restore.add_argument("path", type=Path, metavar="PATH")
    restore.add_argument("--yes", action="store_true", help="replace the data this hub already has")
    restore.add_argument("--force", action="store_true", help="even though a worker heartbeat is fresh")
    export = command(sub, "export", export_cmd, "the household's data as JSON (docs/export-format.md)")
    export.add_argument("--format", choices=["json"], default="json")
    export.add_argument("--since", type=_when, metavar="ISO8601", help="history, events from this time")
    export.add_argument("--until", type=_when, metavar="ISO8601")
    export.add_argument("--output", "-o", type=Path, metavar="FILE", help="default: standard output")
    imp = command(sub, "import", import_cmd, "import an export into this hub: configuration, plans, files, history")
    imp.add_argument("path", type=Path, metavar="FILE")
    doctor = command(sub, "doctor", doctor_cmd, "check database, disk, keys, worker, integrations, backups")
    doctor.add_argument("--offline", action="store_true", help="do not contact the integrations' servers")
    prune = command(sub, "prune", prune_cmd, "aggregate complete hours and prune history now, as the worker does")
    prune.add_argument("--dry-run", action="store_true", help="show the retention settings and cutoffs only")
    command(sub, "vacuum", vacuum_cmd, "turn on incremental auto_vacuum and compact the SQLite file (hub stopped)")
    for name, handler, text in (("install-service", install_service_cmd, "write and enable a systemd unit"),
                                ("uninstall-service", uninstall_service_cmd, "stop and remove the systemd unit")):
        child = command(sub, name, handler, text)
        scope = child.add_mutually_exclusive_group()
        scope.add_argument("--user", dest="scope", action="store_const", const="user", default="user",
                           help="a user unit (default)")
        scope.add_argument("--system", dest="scope", action="store_const", const="system", help="a system unit")
        child.add_argument("--unit-dir", type=Path, help=argparse.SUPPRESS)
        if name == "install-service":
            child.add_argument("--env-file", type=Path, help="default: ~/.config/hi/hi.env or /etc/hi/hi.env")
            child.add_argument("--host", default="127.0.0.1")
            child.add_argument("--port", type=int, default=8000)
            child.add_argument("--no-start", action="store_true", help="write the files only")


def user_errors() -> tuple[type[BaseException], ...]:
    from hi.apps.ops.archive import BackupError
    from hi.apps.ops.service import ServiceError

    return (BackupError, ServiceError)


def backup_cmd(args: argparse.Namespace) -> int:
    from hi.apps.ops.backup import create_backup, rotate
    from hi.apps.ops.config import backup_dir

    path = create_backup(args.path, directory=backup_dir())
    removed = rotate(path.parent, args.keep) if args.keep else []
    manifest_counts = _counts(path)
    if args.json:
        emit_json({"path": str(path), "size": path.stat().st_size, "counts": manifest_counts,
                   "rotated": [str(p) for p in removed]})
    else:
        say(f"backup written: {path} ({path.stat().st_size / 1e6:.1f} MB)")
        for old in removed:
            say(f"removed old backup {old}")
    return 0


def _counts(path: Path) -> dict[str, int]:
    from hi.apps.ops.archive import read_manifest

    return read_manifest(path)["counts"]


def restore_cmd(args: argparse.Namespace) -> int:
    from hi.apps.ops.restore import describe, restore

    report = describe(restore(args.path, confirmed=args.yes, force_running=args.force))
    if args.json:
        emit_json(report)
    else:
        say(f"restored {report['archive']} (taken {report['created_at']}); {report['files']} files, "
            f"keys: {', '.join(report['keys']) or 'none'}; {report['migrations_applied']} migrations applied")
        say("If the secret key changed, restart the hub so it is used.")
    return 0


def export_cmd(args: argparse.Namespace) -> int:
    from hi.apps.ops.export import export

    if args.output:
        with args.output.open("w", encoding="utf-8") as out:
            counts = export(out, args.since, args.until)
        message = {"path": str(args.output), "counts": counts}
        emit_json(message) if args.json else say(f"exported to {args.output}: " +
                                                  ", ".join(f"{n} {k}" for k, n in counts.items()))
    else:
        export(sys.stdout, args.since, args.until)
    return 0


def import_cmd(args: argparse.Namespace) -> int:
    from hi.apps.ops.archive import BackupError
    from hi.apps.ops.export import import_configuration

    try:
        document = json.loads(args.path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"no such file: {args.path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BackupError(f"{args.path} is not JSON ({exc})") from None
    counts = import_configuration(document)
    emit_json(counts) if args.json else say(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))
    return 0


def doctor_cmd(args: argparse.Namespace) -> int:
    from hi.apps.ops.doctor import FAIL, as_json, overall, run_checks

    checks = run_checks(probe=not args.offline)
    if args.json:
        emit_json(as_json(checks))
    else:
        width = max(len(c.name) for c in checks)
        for check in checks:
            say(f"{check.status.upper():4}  {check.name.ljust(width)}  {check.message}")
    return 1 if overall(checks) == FAIL else 0


def prune_cmd(args: argparse.Namespace) -> int:
    from hi.apps.ops.config import retention_settings
    from hi.apps.ops.retention import cutoffs

    rows: list[Any] = [[s.name, s.value, s.source, s.env] for s in retention_settings().values()]
    if args.dry_run:
        limits = {k: v.isoformat() if v else "keep" for k, v in cutoffs().items()}
        if retention_settings()["sensor_history_days"].value > 0 and cutoffs()["sensor_history"] is None:
            limits["sensor_history"] = "nothing yet: hours are aggregated first"
        emit_json({"settings": rows, "cutoffs": limits}) if args.json else say(
            table(["setting", "value", "from", "variable"], rows) + "\n\n" +
            table(["kind", "prune before"], sorted(limits.items())))
        return 0
    from hi.apps.ops.maintenance import maintenance_pass

    result = maintenance_pass()
    emit_json(result) if args.json else say(
        f"aggregated {result['aggregated_hours']} sensor-hours; pruned "
        + (", ".join(f"{n} {k}" for k, n in result["pruned"].items()) or "nothing")
        + f"; {result['freed_pages']} pages given back")
    return 0


def vacuum_cmd(args: argparse.Namespace) -> int:
    from hi.apps.ops.restore import hub_running
    from hi.apps.ops.vacuum import vacuum

    if hub_running():
        from hi.apps.ops.archive import BackupError

        raise BackupError("the hub is running: stop it first (VACUUM rewrites the whole file)")
    result = vacuum()
    emit_json(result) if args.json else say(
        f"auto_vacuum: {result['auto_vacuum']}; file {result['before'] / 1e6:.1f} MB -> {result['after'] / 1e6:.1f} MB")
    return 0


def _paths(args: argparse.Namespace) -> Any:
    from hi.apps.ops.service import UNIT_NAME, ServicePaths, default_paths

    paths = default_paths(args.scope)
    if args.unit_dir:
        paths = ServicePaths(args.unit_dir / UNIT_NAME, paths.env_file, paths.scope)
    if getattr(args, "env_file", None):
        paths = ServicePaths(paths.unit, args.env_file.resolve(), paths.scope)
    return paths


def install_service_cmd(args: argparse.Namespace) -> int:
    from django.conf import settings

    from hi.apps.ops.service import install

    result = install(_paths(args), Path(settings.DATA_DIR), host=args.host, port=args.port, start=not args.no_start)
    if args.json:
        emit_json(result)
    else:
        say(f"unit written: {result['unit']}")
        say(f"environment file: {result['env_file']}" + (" (created)" if result["env_file_created"] else " (kept)"))
        for step in result["systemctl"]:
            say(f"systemctl {step}")
        if not result["systemctl"] or "not running" in str(result["systemctl"]):
            say(f"then: {result['next']}")
    return 0


def uninstall_service_cmd(args: argparse.Namespace) -> int:
    from hi.apps.ops.service import uninstall

    result = uninstall(_paths(args))
    emit_json(result) if args.json else say(f"removed {result['removed']}; kept {result['env_file_kept']}")
    return 0
