"""The persisted event cursor: where the monitor stopped reading ZoneMinder's events.

Kept per ZoneMinder server (its API address), so events that happen while the worker is
stopped are read on the next start, and a different server starts from its own latest event.
``awaited_event_ids`` are ids below ``last_event_id`` not seen yet: a concurrent writer may still
commit them (MariaDB hands out ids before the rows become visible), so the next polls look again.
"""

from __future__ import annotations

from django.db import models


class EventCursor(models.Model):
    server = models.CharField(max_length=300, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    open_event_ids = models.JSONField(default=list, blank=True)
    awaited_event_ids = models.JSONField(default=dict, blank=True)  # {"<id>": "<ISO time first missed>"}
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.server} after event {self.last_event_id}"
