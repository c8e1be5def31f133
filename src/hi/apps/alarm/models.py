"""Rules, their persisted evaluation state, alerts, security modes, channels and deliveries.

Everything the alarm layer knows lives in the database, so a restart forgets nothing: a held-for
deadline, whether a rule is armed, an open alert, a delivery still to retry.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from hi.apps.entity.models import Entity
from hi.utils.sealed import SealedTextField

from .enums import AlertStatus, DeliveryStatus, Level, Match, SecurityMode


class Rule(models.Model):
    """Conditions on entity states, the modes the rule applies in, its level and its actions.

    ``conditions`` / ``actions`` are validated JSON (``conditions.parse_rule``); ``state_ids`` is
    derived from the conditions and is what the engine indexes rules by.
    """

    name = models.CharField(max_length=200)
    enabled = models.BooleanField(default=True)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.WARNING)
    match = models.CharField(max_length=8, choices=Match.choices, default=Match.ALL)
    window_seconds = models.PositiveIntegerField(null=True, blank=True)
    conditions = models.JSONField(default=list)
    modes = models.JSONField(default=list)  # empty: every mode except Disabled
    life_safety = models.BooleanField(default=False)  # fires in every mode, snooze never silences it
    time_from = models.TimeField(null=True, blank=True)
    time_to = models.TimeField(null=True, blank=True)
    days = models.JSONField(default=list, blank=True)  # 0 = Monday … 6 = Sunday; empty: every day
    actions = models.JSONField(default=list)
    quiet_seconds = models.PositiveIntegerField(default=0)
    expire_minutes = models.PositiveIntegerField(null=True, blank=True)
    state_ids = models.JSONField(default=list)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class RuleRuntime(models.Model):
    """A rule's evaluation state: armed or waiting to clear, since when each condition holds, its deadline."""

    rule = models.OneToOneField(Rule, on_delete=models.CASCADE, primary_key=True, related_name="runtime")
    armed = models.BooleanField(default=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    true_since = models.JSONField(default=dict)  # condition index -> ISO time it became true
    last_true = models.JSONField(default=dict)  # condition index -> ISO time it was last seen becoming true
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)  # a held-for deadline
    last_fired_at = models.DateTimeField(null=True, blank=True)
    incidents = models.JSONField(default=list)  # alert ids (e.g. NWS) already fired for, while still open


class DefaultRuleMark(models.Model):
    """That a default rule was made for a state; kept when the rule is deleted so no sync brings it back."""

    key = models.CharField(max_length=400, unique=True)  # kind + entity key + state key
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Alert(models.Model):
    """One incident: one rule firing for one set of entities, with every time it fired."""

    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts")
    rule_name = models.CharField(max_length=200)
    level = models.CharField(max_length=16, choices=Level.choices)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    opened_at = models.DateTimeField()
    last_fired_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True, default="")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_note = models.TextField(blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    entities = models.ManyToManyField(Entity, blank=True, related_name="+")
    event_ids = models.JSONField(default=list)
    camera_entity = models.ForeignKey(Entity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    mode = models.CharField(max_length=16, blank=True, default="")
    incident = models.CharField(max_length=200, blank=True, default="")  # an integration's alert id (weather)
    detail = models.CharField(max_length=300, blank=True, default="")  # e.g. the weather alert's headline

    class Meta:
        ordering = ["-last_fired_at", "-id"]
        indexes = [models.Index(fields=["status", "-last_fired_at"], name="alert_status_recent"),
                   models.Index(fields=["rule", "status"], name="alert_rule_status")]

    def __str__(self) -> str:
        return f"{self.rule_name} ({self.level}, {self.status})"


class AlertSnapshot(models.Model):
    """The camera's picture when the alert opened, kept with the alert (the camera may be gone later)."""

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, primary_key=True, related_name="snapshot")
    camera = models.ForeignKey(Entity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    content_type = models.CharField(max_length=100, default="image/jpeg")
    data = models.BinaryField()
    taken_at = models.DateTimeField()
    source = models.CharField(max_length=100, blank=True, default="")  # how it was fetched (event thumbnail, live)


class Alarm(models.Model):
    """One firing of a rule, inside its alert; ``values`` are the states' values at that moment."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="alarms")
    fired_at = models.DateTimeField()
    values = models.JSONField(default=dict)

    class Meta:
        ordering = ["fired_at", "id"]


class ModeSetting(models.Model):
    """The one security-mode row (id 1): current mode, snooze, a pending exit delay and the day/night schedule."""

    mode = models.CharField(max_length=16, choices=SecurityMode.choices, default=SecurityMode.DAY)
    changed_at = models.DateTimeField(null=True, blank=True)
    changed_by = models.CharField(max_length=150, blank=True, default="")
    snooze_until = models.DateTimeField(null=True, blank=True)
    pending_mode = models.CharField(max_length=16, choices=SecurityMode.choices, blank=True, default="")
    pending_at = models.DateTimeField(null=True, blank=True)
    pending_by = models.CharField(max_length=150, blank=True, default="")
    revert_mode = models.CharField(max_length=16, choices=SecurityMode.choices, blank=True, default="")
    revert_at = models.DateTimeField(null=True, blank=True)  # ``mode set … --for MINUTES`` ends here
    exit_delay_seconds = models.PositiveIntegerField(default=0)  # Away starts this long after it is set
    schedule_enabled = models.BooleanField(default=False)
    day_starts = models.TimeField(null=True, blank=True)
    night_starts = models.TimeField(null=True, blank=True)


class ModeChange(models.Model):
    """History: every change of mode or snooze, with who made it."""

    at = models.DateTimeField()
    mode = models.CharField(max_length=16, choices=SecurityMode.choices)
    previous = models.CharField(max_length=16, blank=True, default="")
    changed_by = models.CharField(max_length=150, blank=True, default="")
    reason = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]


class Channel(models.Model):
    """A notification channel: an Apprise URL (a secret: write-only), minimum level, optional modes."""

    name = models.CharField(max_length=100, unique=True)
    url = SealedTextField()  # sealed at rest (hi.utils.sealed); never rendered, returned or logged; see ``Channel.describe``
    min_level = models.CharField(max_length=16, choices=Level.choices, default=Level.WARNING)
    modes = models.JSONField(default=list, blank=True)  # empty: every mode
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def kind(self) -> str:
        """The URL's scheme (``mailto``, ``json``, ``ntfy``…): all of it that may be shown."""
        scheme, sep, _rest = self.url.partition("://")
        return scheme.lower() if sep else "?"

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "min_level": self.min_level, "modes": list(self.modes),
                "enabled": self.enabled}


class Delivery(models.Model):
    """One notification to one channel: recorded, retried with backoff, never blocking the pipeline."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries")
    title = models.CharField(max_length=300)
    body = models.TextField()
    attachment = models.CharField(max_length=500, blank=True, default="")  # a snapshot URL or path
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    is_test = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]


def user_label(user: Any) -> str:
    """Who did something, as recorded: a username, or the given text (``cli``, ``api:token``…)."""
    if user is None:
        return ""
    if isinstance(user, str):
        return user
    return str(getattr(user, "get_username", lambda: user)())


__all__ = ["Alarm", "Alert", "AlertSnapshot", "Channel", "DefaultRuleMark", "Delivery", "ModeChange", "ModeSetting", "Rule",
           "RuleRuntime", "user_label"]
