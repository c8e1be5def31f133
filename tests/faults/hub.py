"""A hub of its own for the process-level fault tests: ``hi`` commands and ``hi worker`` as real
processes on a SQLite database in a temporary data dir, inspected through sqlite3 directly."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def clean_environment() -> dict[str, str]:
    """The test run's environment minus what would point a child at the test run's own database."""
    return {k: v for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "HI_LOG_LEVEL"}} | {"PYTHONUNBUFFERED": "1"}


def prepare_data(where: Path) -> Path:
    """A migrated data dir (built once per session and copied per test: migrating takes seconds)."""
    script = "from hi.cli.bootstrap import setup_django, ensure_migrated; setup_django(); ensure_migrated()"
    subprocess.run([sys.executable, "-c", script], env=clean_environment() | {"HI_DATA_DIR": str(where)},
                   check=True, timeout=300)
    return where


class Hub:
    """``hi`` in a data dir of its own."""

    def __init__(self, prepared: Path, tmp: Path) -> None:
        self.data = tmp / "data"
        shutil.copytree(prepared, self.data)
        self.env = clean_environment() | {"HI_DATA_DIR": str(self.data)}
        self.logs = tmp
        self.workers: list[subprocess.Popen[bytes]] = []

    def hi(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([sys.executable, "-m", "hi.cli.main", *argv], env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        return done

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = open(self.logs / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115 - closed in stop_all
        process = subprocess.Popen([sys.executable, "-m", "hi.cli.main", "worker"], env=self.env,
                                   stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(process)
        return process

    def worker_log(self, index: int) -> str:
        return (self.logs / f"worker-{index}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.data / "hi.sqlite3", timeout=20) as db:
            return db.execute(sql, params).fetchall()

    def wait_for(self, check: Callable[[], Any], timeout: float = 30.0) -> Any:
        """Poll the database until ``check`` is truthy (another process writes it: nothing to await)."""
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            time.sleep(0.05)

    def history(self, name: str) -> list[tuple[str, str]]:
        """(time, JSON value) of one hass sensor's history rows, oldest first."""
        return sorted(self.query(
            "SELECT h.response_at, h.value FROM sense_sensorhistory h JOIN sense_sensor s ON s.id = h.sensor_id "
            "WHERE s.integration_id = 'hass' AND s.integration_name = ?", name))

    def duplicate_history_rows(self) -> int:
        rows = self.query("SELECT COUNT(*) - COUNT(DISTINCT sensor_id || '|' || response_at || '|' || value) "
                          "FROM sense_sensorhistory")
        return int(rows[0][0])
