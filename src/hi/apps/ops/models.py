"""Hourly aggregates of numeric sensor history, and the small bookkeeping that maintenance needs."""

from __future__ import annotations

from django.db import models

from hi.apps.sense.models import Sensor


class SensorHourly(models.Model):
    """min / mean / max of one sensor's numeric readings within one UTC hour.

    ``total`` and ``count`` are kept (not the mean) so hours merge exactly into longer buckets.
    """

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="hourly")
    hour = models.DateTimeField()  # the start of the hour, UTC
    count = models.PositiveIntegerField()
    minimum = models.FloatField()
    maximum = models.FloatField()
    total = models.FloatField()

    class Meta:
        ordering = ["sensor", "hour"]
        constraints = [models.UniqueConstraint(fields=["sensor", "hour"], name="unique_sensor_hour")]
        verbose_name_plural = "sensor hourly aggregates"

    @property
    def mean(self) -> float:
        return self.total / self.count


class OpsMarker(models.Model):
    """Named points in time maintenance remembers, e.g. how far history has been aggregated."""

    name = models.CharField(max_length=100, unique=True)
    at = models.DateTimeField()
    number = models.BigIntegerField(null=True, blank=True)  # a row id, for markers that are one
    note = models.TextField(blank=True, default="")  # a sentence, for markers that say what happened

    def __str__(self) -> str:
        return f"{self.name}={self.at.isoformat()}"
