"""What the weather integration persists so a restart neither loses the last good data nor bursts requests."""

from __future__ import annotations

from django.db import models


class CachedResponse(models.Model):
    """The last good (validated) answer to one request of one source, with when it was fetched."""

    source = models.CharField(max_length=32)
    key = models.CharField(max_length=512)
    payload = models.JSONField()
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "key"], name="weather_cache_unique_key")]

    def __str__(self) -> str:
        return f"{self.source}:{self.key[:60]}"


class SourceRequestLog(models.Model):
    """Recent request times of one source (epoch seconds), pruned to its longest rate-limit window."""

    source = models.CharField(max_length=32, unique=True)
    stamps = models.JSONField(default=list)
    total = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.source}: {len(self.stamps)} recent requests"
