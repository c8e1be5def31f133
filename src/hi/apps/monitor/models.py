"""The worker's own heartbeat, so health pages can say whether background work is running."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone


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

    def is_alive(self, stale_after: float = 60.0, now: dt.datetime | None = None) -> bool:
        """Running and heard from recently: a killed worker stops refreshing and turns stale."""
        now = now or timezone.now()
        return self.stopped_at is None and (now - self.heartbeat_at).total_seconds() <= stale_after


def worker_status(stale_after: float = 60.0) -> dict:
    """The most recent worker's state, as the CLI and API show it."""
    latest = WorkerHeartbeat.objects.order_by("-heartbeat_at").first()
    if latest is None:
        return {"running": False, "worker_id": None, "heartbeat_at": None, "started_at": None, "monitors": {}}
    return {
        "running": latest.is_alive(stale_after),
        "worker_id": latest.worker_id,
        "heartbeat_at": latest.heartbeat_at.isoformat(),
        "started_at": latest.started_at.isoformat(),
        "monitors": latest.monitors,
    }
