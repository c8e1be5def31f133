"""Enumerations of the integration framework."""

from __future__ import annotations

from django.db import models


class HealthStatus(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    HEALTHY = "healthy", "Healthy"
    WARNING = "warning", "Warning"
    ERROR = "error", "Error"
    DISABLED = "disabled", "Disabled"


class IntegrationStatus(models.TextChoices):
    """Where an integration is in its lifecycle (independent of its health)."""

    NOT_CONFIGURED = "not_configured", "Not configured"
    CONFIGURED = "configured", "Configured"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    DISABLED = "disabled", "Disabled"


class AttributeType(models.TextChoices):
    TEXT = "text", "Text"
    SECRET = "secret", "Secret"
    URL = "url", "URL"
    INTEGER = "integer", "Integer"
    FLOAT = "float", "Number"
    BOOLEAN = "boolean", "Yes/no"
    TIMEZONE = "timezone", "Time zone"
    LINES = "lines", "Lines"
    CHOICE = "choice", "Choice"


class DisableMode(models.TextChoices):
    SAFE = "safe", "Keep entities that carry user data (detached)"
    ALL = "all", "Remove every entity of the integration"
