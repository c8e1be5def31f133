"""``hi worker`` as a real process: it starts on a fresh database and exits 0 on SIGTERM."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path


def test_hi_worker_exits_cleanly_on_sigterm(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(HI_DATA_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    process = subprocess.Popen([sys.executable, "-m", "hi.cli.main", "worker"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        watchdog = threading.Timer(120, process.kill)  # a silent process must not hang the suite
        watchdog.start()
        try:
            assert "worker running" in process.stdout.readline()
        finally:
            watchdog.cancel()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
    stderr = process.stderr.read() if process.stderr else ""
    assert "Traceback" not in stderr
    with sqlite3.connect(tmp_path / "hi.sqlite3") as db:
        rows = db.execute("SELECT stopped_at FROM monitor_workerheartbeat").fetchall()
    assert rows and rows[0][0] is not None
