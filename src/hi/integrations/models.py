"""Stored configuration, lifecycle and health of each integration, plus the key mixin for our model."""

from __future__ import annotations

from django.db import models

from hi.utils.sealed import SealedTextField

from .enums import AttributeType, HealthStatus, IntegrationStatus
from .keys import IntegrationKey


class Integration(models.Model):
    """One row per integration id: lifecycle, health and a config version the worker watches."""

    integration_id = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=20, choices=IntegrationStatus.choices,
                              default=IntegrationStatus.NOT_CONFIGURED)
    config_version = models.PositiveIntegerField(default=0)
    auto_sync = models.BooleanField(default=False)
    needs_sync = models.BooleanField(default=False)
    needs_sync_reason = models.CharField(max_length=255, blank=True, default="")
    last_sync_at = models.DateTimeField(null=True, blank=True)

    health_status = models.CharField(max_length=16, choices=HealthStatus.choices, default=HealthStatus.UNKNOWN)
    health_message = models.CharField(max_length=500, blank=True, default="")
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    consecutive_failures = models.PositiveIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    health_details = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["integration_id"]

    def __str__(self) -> str:
        return self.integration_id

    def attribute_values(self) -> dict[str, str]:
        return {attr.key: attr.value for attr in self.attributes.all()}


class IntegrationAttribute(models.Model):
    """One configuration value; secrets are stored but never rendered or returned."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="attributes")
    key = models.CharField(max_length=64)
    value = SealedTextField(blank=True, default="")  # every value sealed at rest (hi.utils.sealed)
    value_type = models.CharField(max_length=16, choices=AttributeType.choices, default=AttributeType.TEXT)
    is_required = models.BooleanField(default=False)
    is_secret = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "key"], name="unique_integration_attribute")]
        ordering = ["integration", "key"]

    def __str__(self) -> str:
        return f"{self.integration.integration_id}.{self.key}"

    @property
    def display_value(self) -> str:
        if self.is_secret:
            return "set" if self.value else "not set"
        return self.value


class IntegrationKeyMixin(models.Model):
    """Integration key + opaque payload shared by Entity, Sensor and Controller.

    A detached row has no key but remembers it in ``detached_key`` so a later sync can reconnect it.
    """

    integration_id = models.CharField(max_length=32, null=True, blank=True)
    integration_name = models.CharField(max_length=255, null=True, blank=True)
    integration_payload = models.JSONField(default=dict, blank=True)
    detached_key = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(fields=["integration_id", "integration_name"],
                                    name="%(app_label)s_%(class)s_unique_integration_key"),
        ]
        indexes = [models.Index(fields=["detached_key"], name="%(app_label)s_%(class)s_detached")]

    @property
    def integration_key(self) -> IntegrationKey | None:
        if self.integration_id and self.integration_name:
            return IntegrationKey(self.integration_id, self.integration_name)
        return None

    @integration_key.setter
    def integration_key(self, key: IntegrationKey | None) -> None:
        if key is None:
            self.integration_id = None
            self.integration_name = None
        else:
            self.integration_id = key.integration_id
            self.integration_name = key.integration_name

    @property
    def integration_key_str(self) -> str | None:
        key = self.integration_key
        return str(key) if key else None

    @property
    def is_detached(self) -> bool:
        return self.integration_key is None and bool(self.detached_key)

    def detach(self) -> None:
        """Forget the live key but remember it, so a later sync can reconnect this row."""
        key = self.integration_key
        if key is not None:
            self.detached_key = str(key)
        self.integration_key = None

    def reconnect(self, key: IntegrationKey) -> None:
        self.integration_key = key
        self.detached_key = ""


class WebhookEndpoint(models.Model):
    """One inbound webhook of an integration, with its own secret (HMAC key or URL secret)."""

    class Mode(models.TextChoices):
        HMAC = "hmac", "HMAC-SHA256 signature header"
        URL_SECRET = "url_secret", "secret in the URL (?token=)"

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="webhooks")
    hook_id = models.SlugField(max_length=64)
    secret = SealedTextField()
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.HMAC)
    max_bytes = models.PositiveIntegerField(default=1024 * 1024)
    enabled = models.BooleanField(default=True)
    received_count = models.PositiveIntegerField(default=0)
    last_received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "hook_id"], name="unique_integration_webhook")]
        ordering = ["integration", "hook_id"]

    def __str__(self) -> str:
        return f"{self.integration.integration_id}/{self.hook_id}"


class WebhookDelivery(models.Model):
    """A signed delivery accepted in the last few minutes: the same signature again is a replay."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    signature = models.CharField(max_length=80)
    received_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "signature"], name="unique_webhook_delivery")]
