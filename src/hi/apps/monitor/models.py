"""The worker's own heartbeat, so health pages can say whether background work is running.

A worker is live while it refreshes its row every ``HEARTBEAT_INTERVAL`` seconds. One that was
killed (``kill -9``, a crash, a power cut) never marks itself stopped, so two signals tell it is
dead: on the same host its process id no longer names a running process (known at once), and
anywhere its heartbeat is older than ``STALE_AFTER`` (two intervals).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

HEARTBEAT_INTERVAL = 10.0
STALE_AFTER = 2 * HEARTBEAT_INTERVAL


def process_running(pid: int) -> bool:
    """Whether ``pid`` names a running process on this host (a zombie — killed, not yet reaped — does not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except (OSError, IndexError):
        return True


@dataclass(frozen=True)
class Liveness:
    """Whether a worker runs, and if not since when and why (for people)."""

    alive: bool
    since: dt.datetime | None = None
    reason: str = ""


class WorkerHeartbeat(models.Model):
    """One row per worker process (``host:pid``); refreshed every few seconds while it runs."""

    worker_id = models.CharField(max_length=200, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    monitors = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-heartbeat_at"]

    def __str__(self) -> str:
        return self.worker_id

    def liveness(self, stale_after: float = STALE_AFTER, now: dt.datetime | None = None) -> Liveness:
        """Stopped cleanly, process gone (same host), heartbeat too old — or alive."""
        now = now or timezone.now()
        if self.stopped_at is not None:
            return Liveness(False, self.stopped_at, "stopped")
        if self.hostname == socket.gethostname() and not process_running(self.pid):
            return Liveness(False, self.heartbeat_at, f"process {self.pid} is gone")
        age = (now - self.heartbeat_at).total_seconds()
        if age > stale_after:
            return Liveness(False, self.heartbeat_at, f"no heartbeat for {age:.0f} s")
        return Liveness(True)

    def is_alive(self, stale_after: float = STALE_AFTER, now: dt.datetime | None = None) -> bool:
        """Running and heard from recently: a killed worker is dead at once here, elsewhere once stale."""
        return self.liveness(stale_after, now).alive


def recent_workers(limit: int = 20) -> list[WorkerHeartbeat]:
    """The workers heard from most recently (old rows of long-gone processes are not worth reading)."""
    return list(WorkerHeartbeat.objects.order_by("-heartbeat_at")[:limit])


def worker_status(stale_after: float = STALE_AFTER) -> dict:
    """The worker's state as the CLI, API and pages show it: a live one if any, else the latest dead one."""
    now = timezone.now()
    rows = [(row, row.liveness(stale_after, now)) for row in recent_workers()]
    if not rows:
        return {"running": False, "worker_id": None, "heartbeat_at": None, "started_at": None, "monitors": {},
                "since": None, "reason": "no worker has run yet"}
    row, state = next(((r, s) for r, s in rows if s.alive), rows[0])
    return {
        "running": state.alive,
        "worker_id": row.worker_id,
        "heartbeat_at": row.heartbeat_at.isoformat(),
        "started_at": row.started_at.isoformat(),
        "monitors": row.monitors,
        "since": state.since.isoformat() if state.since else None,
        "reason": state.reason,
    }
