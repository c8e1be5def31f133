"""One small key → JSON store for the settings a household changes in the UI rather than the environment."""

from __future__ import annotations

from django.db import models


class HouseholdSetting(models.Model):
    """One setting (``time_zone``, …); read through ``hi.apps.household.store``, which caches and validates."""

    key = models.CharField(max_length=64, unique=True)
    value = models.JSONField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key
