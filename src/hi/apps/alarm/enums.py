"""Levels, security modes and statuses of the alarm layer."""

from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


LEVEL_RANK = {Level.INFO: 0, Level.WARNING: 1, Level.CRITICAL: 2}


def level_at_least(level: str, minimum: str) -> bool:
    """True when ``level`` is as severe as ``minimum`` or more (channels filter with it)."""
    return LEVEL_RANK.get(level, 0) >= LEVEL_RANK.get(minimum, 0)


class SecurityMode(models.TextChoices):
    DISABLED = "disabled", "Disabled"
    DAY = "day", "Day"
    NIGHT = "night", "Night"
    AWAY = "away", "Away"


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLEARED = "cleared", "Cleared"  # expired by its rule without anyone acknowledging it


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"  # gave up after the last attempt, or a permanent error


class Match(models.TextChoices):
    ALL = "all", "All conditions"
    ANY = "any", "Any condition"
