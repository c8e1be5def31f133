"""Events: a sensor condition with a start, an end and a duration."""

from __future__ import annotations

from django.db import models

from hi.apps.entity.models import Entity, EntityState
from hi.apps.sense.models import Sensor


class Event(models.Model):
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="events")
    entity_state = models.ForeignKey(EntityState, on_delete=models.CASCADE, related_name="events")
    sensor = models.ForeignKey(Sensor, on_delete=models.SET_NULL, null=True, blank=True, related_name="events")
    value = models.JSONField(null=True)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    correlation_id = models.CharField(max_length=200, blank=True, default="")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(fields=["entity_state", "end"], name="event_open_by_state"),
            models.Index(fields=["entity", "-start"], name="event_entity_recent"),
            models.Index(fields=["-start"], name="event_recent"),
            models.Index(fields=["entity_state", "correlation_id"], name="event_correlation"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entity_state", "correlation_id"],
                                    condition=~models.Q(correlation_id=""), name="unique_event_correlation"),
        ]

    @property
    def is_open(self) -> bool:
        return self.end is None
