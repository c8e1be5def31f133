"""``hi install-service`` / ``uninstall-service``: a systemd unit for ``hi run``.

The unit is ``Type=notify``: hi says READY=1 when the worker starts and feeds the watchdog only while
the worker's heartbeat is fresh, so a hung hub is restarted, not just a crashed one. Settings live in
an environment file beside it (mode 600, since it may hold DATABASE_URL's password).
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

UNIT_NAME = "hi.service"
WATCHDOG_SEC = 90


class ServiceError(Exception):
    """Installing or removing the unit failed; the message says what to do."""


@dataclass(frozen=True)
class ServicePaths:
    unit: Path
    env_file: Path
    scope: str  # "user" | "system"


def default_paths(scope: str) -> ServicePaths:
    if scope == "system":
        return ServicePaths(Path("/etc/systemd/system") / UNIT_NAME, Path("/etc/hi/hi.env"), scope)
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return ServicePaths(config / "systemd" / "user" / UNIT_NAME, config / "hi" / "hi.env", scope)


def hi_executable() -> Path:
    """The ``hi`` script of the running installation (beside this Python)."""
    candidate = Path(sys.executable).with_name("hi")
    if candidate.exists():
        return candidate
    found = shutil.which("hi")
    if found:
        return Path(found).resolve()
    raise ServiceError("cannot find the hi executable; install hi (make run does) and try again")


def render_unit(paths: ServicePaths, executable: Path, data_dir: Path, user: str | None = None,
                host: str = "127.0.0.1", port: int = 8000) -> str:
    lines = [
        "# Written by hi install-service; edit the environment file, not this file.",
        "[Unit]",
        "Description=hi, the home information hub",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=notify",
        "NotifyAccess=main",
        f"EnvironmentFile={paths.env_file}",
        f"ExecStart={executable} run --host {host} --port {port}",
        f"WorkingDirectory={data_dir}",
        "Restart=on-failure",
        "RestartSec=5",
        f"WatchdogSec={WATCHDOG_SEC}",
        "TimeoutStartSec=300",  # the first start applies migrations
        "TimeoutStopSec=30",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "UMask=0077",
    ]
    if paths.scope == "system" and user:
        lines.append(f"User={user}")
    lines += ["", "[Install]", f"WantedBy={'multi-user.target' if paths.scope == 'system' else 'default.target'}", ""]
    return "\n".join(lines)


def render_env(data_dir: Path) -> str:
    return "\n".join([
        "# hi's settings for the systemd service (see README.md, Configuration). Mode 600: it may hold secrets.",
        f"HI_DATA_DIR={data_dir}",
        "# DATABASE_URL=postgres://hi:password@127.0.0.1:5432/hi",
        "# HI_ALLOWED_HOSTS=hub.example.org",
        "# HI_CSRF_TRUSTED_ORIGINS=https://hub.example.org",
        "# HI_TIME_ZONE=Europe/Berlin",
        "# HI_RETENTION_SENSOR_HISTORY_DAYS=30",
        "# HI_BACKUP_INTERVAL_HOURS=24",
        "# HI_BACKUP_KEEP=7",
        "",
    ])


def _systemctl(scope: str, *args: str) -> subprocess.CompletedProcess[str] | None:
    """Run systemctl when a systemd manager is there to talk to; None otherwise."""
    if shutil.which("systemctl") is None:
        return None
    command = ["systemctl", *(["--user"] if scope == "user" else []), *args]
    probe = subprocess.run([*command[:-len(args)], "is-system-running"], capture_output=True, text=True)
    if probe.stdout.strip() in {"", "offline", "unknown"}:
        return None
    return subprocess.run(command, capture_output=True, text=True)


def install(paths: ServicePaths, data_dir: Path, *, host: str = "127.0.0.1", port: int = 8000,
            start: bool = True) -> dict[str, object]:
    """Write the unit (and the env file when there is none); enable and start it when systemd runs."""
    user = os.environ.get("SUDO_USER") or getpass.getuser()  # under sudo, the person who asked
    unit = render_unit(paths, hi_executable(), data_dir, user, host, port)
    try:
        paths.unit.parent.mkdir(parents=True, exist_ok=True)
        paths.unit.write_text(unit)
        created_env = not paths.env_file.exists()
        if created_env:
            paths.env_file.parent.mkdir(parents=True, exist_ok=True)
            paths.env_file.write_text(render_env(data_dir))
            paths.env_file.chmod(0o600)
    except PermissionError as exc:
        hint = " (a system unit needs root: sudo hi install-service --system)" if paths.scope == "system" else ""
        raise ServiceError(f"cannot write {exc.filename}{hint}") from None
    steps = []
    if start:
        for args in (("daemon-reload",), ("enable", "--now", UNIT_NAME)):
            result = _systemctl(paths.scope, *args)
            steps.append(" ".join(args) + (": systemd not running here" if result is None else
                                           f": exit {result.returncode}"))
            if result is None:
                break
    scope_flag = "--user " if paths.scope == "user" else ""
    return {"unit": str(paths.unit), "env_file": str(paths.env_file), "env_file_created": created_env,
            "systemctl": steps, "next": f"systemctl {scope_flag}daemon-reload && systemctl {scope_flag}enable --now hi"}


def uninstall(paths: ServicePaths) -> dict[str, object]:
    """Stop and disable the unit when systemd runs, then remove it; the env file stays (it is yours)."""
    if not paths.unit.exists():
        raise ServiceError(f"no unit at {paths.unit}: nothing to remove")
    result = _systemctl(paths.scope, "disable", "--now", UNIT_NAME)
    paths.unit.unlink()
    _systemctl(paths.scope, "daemon-reload")
    return {"removed": str(paths.unit), "env_file_kept": str(paths.env_file),
            "systemctl": "systemd not running here" if result is None else f"disable: exit {result.returncode}"}
