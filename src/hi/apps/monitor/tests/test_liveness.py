"""Telling a dead worker from a live one: process gone on this host, heartbeat too old anywhere."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys

import pytest
from django.utils import timezone

from hi.apps.monitor.models import STALE_AFTER, WorkerHeartbeat, process_running, worker_status
from hi.apps.monitor.worker import _other_live_workers

pytestmark = pytest.mark.django_db


def _dead_pid() -> int:
    """The id of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _row(worker_id: str, pid: int, age: float = 0.0, host: str | None = None) -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(worker_id=worker_id, hostname=host or socket.gethostname(), pid=pid,
                                          started_at=now, heartbeat_at=now - dt.timedelta(seconds=age))


def test_process_running_knows_this_process_and_a_reaped_one() -> None:
    assert process_running(os.getpid())
    assert not process_running(_dead_pid())


def test_a_killed_worker_on_this_host_is_dead_at_once_with_a_reason() -> None:
    pid = _dead_pid()
    _row(f"{socket.gethostname()}:{pid}", pid)  # heartbeat fresh, process gone: kill -9
    status = worker_status()
    assert not status["running"] and status["reason"] == f"process {pid} is gone" and status["since"]


def test_a_worker_elsewhere_is_judged_by_heartbeat_age() -> None:
    _row("other-host:4242", 4242, age=STALE_AFTER - 5, host="other-host")
    assert worker_status()["running"]
    WorkerHeartbeat.objects.update(heartbeat_at=timezone.now() - dt.timedelta(seconds=STALE_AFTER + 1))
    status = worker_status()
    assert not status["running"] and status["reason"].startswith("no heartbeat for")


def test_a_restart_after_a_kill_does_not_warn_about_the_dead_worker() -> None:
    pid = _dead_pid()
    _row(f"{socket.gethostname()}:{pid}", pid)
    _row(f"{socket.gethostname()}:{os.getpid()}", os.getpid())
    assert _other_live_workers("me:1") == [f"{socket.gethostname()}:{os.getpid()}"]
