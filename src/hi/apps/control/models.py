"""Controllers change exactly one EntityState; ControllerHistory records every request and its fate."""

from __future__ import annotations

from django.db import models

from hi.apps.entity.models import EntityState
from hi.integrations.models import IntegrationKeyMixin


class Controller(IntegrationKeyMixin):
    entity_state = models.ForeignKey(EntityState, on_delete=models.CASCADE, related_name="controllers")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(IntegrationKeyMixin.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ControlOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent, awaiting confirmation"
    CONFIRMED = "confirmed", "Confirmed"
    UNCONFIRMED = "unconfirmed", "Not confirmed in time"
    FAILED = "failed", "Failed"


class ControllerHistory(models.Model):
    controller = models.ForeignKey(Controller, on_delete=models.CASCADE, related_name="history")
    requested_value = models.JSONField(null=True)
    expected_value = models.JSONField(null=True, blank=True)  # what a confirming sensor response carries
    requested_by = models.CharField(max_length=200)
    requested_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=ControlOutcome.choices, default=ControlOutcome.PENDING)
    message = models.CharField(max_length=500, blank=True, default="")
    latency_ms = models.FloatField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["controller", "outcome"], name="controller_history_outcome"),
            models.Index(fields=["outcome", "requested_at"], name="controller_history_awaiting"),
        ]
        verbose_name_plural = "controller history"


class ControlCode(models.Model):
    """A code a person chose to keep for one controller (an alarm panel's), so the UI need not ask each time.

    Stored like integration secrets: never rendered, returned, logged or written to history; only
    whether one is stored is shown, and it can be replaced or removed.
    """

    controller = models.OneToOneField(Controller, on_delete=models.CASCADE, related_name="stored_code")
    code = models.CharField(max_length=128)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"code for {self.controller_id} (hidden)"
