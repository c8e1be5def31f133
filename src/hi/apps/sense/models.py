"""Sensors observe exactly one EntityState; SensorHistory keeps every distinct reading."""

from __future__ import annotations

from django.db import models

from hi.apps.entity.models import EntityState
from hi.integrations.models import IntegrationKeyMixin


class Sensor(IntegrationKeyMixin):
    entity_state = models.ForeignKey(EntityState, on_delete=models.CASCADE, related_name="sensors")
    name = models.CharField(max_length=200)
    provides_history = models.BooleanField(default=True)
    last_value = models.JSONField(null=True, blank=True)
    last_response_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(IntegrationKeyMixin.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SensorHistory(models.Model):
    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="history")
    value = models.JSONField(null=True)
    response_at = models.DateTimeField()
    details = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-response_at", "-id"]
        indexes = [models.Index(fields=["sensor", "-response_at"], name="sensor_history_recent")]
        verbose_name_plural = "sensor history"


class LiveChange(models.Model):
    """One committed pipeline batch's state changes, so SSE streams in other processes see them too.

    Written in the batch's own transaction (``live.feed.LiveFeedWriter``) and kept only minutes:
    it is a relay for ``live.bridge``, not history.
    """

    created_at = models.DateTimeField()
    origin = models.CharField(max_length=32)  # the writing process, so a process skips its own rows
    changes = models.JSONField()

    class Meta:
        ordering = ["id"]
