"""Entities (things in the home), their hidden states, and user-defined attributes."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from hi.integrations.models import IntegrationKeyMixin

from .enums import AttributeSource, AttributeValueType, EntityStateType, EntityType


class Entity(IntegrationKeyMixin):
    """A physical or logical thing; ``user_fields`` lists fields the user changed (they win over sync)."""

    name = models.CharField(max_length=200)
    entity_type = models.CharField(max_length=32, choices=EntityType.choices, default=EntityType.OTHER)
    user_fields = models.JSONField(default=list, blank=True)
    # The room it is in. An integration may suggest one (``location_suggestion`` remembers the last
    # suggestion applied, so each is applied once); a person's choice marks "location" in user_fields.
    location = models.ForeignKey("places.Location", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="entities")
    location_suggestion = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(IntegrationKeyMixin.Meta):
        ordering = ["name", "id"]
        verbose_name_plural = "entities"
        indexes = [
            *IntegrationKeyMixin.Meta.indexes,
            models.Index(fields=["entity_type", "name"], name="entity_type_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def mark_user_field(self, field_name: str) -> None:
        if field_name not in self.user_fields:
            self.user_fields = [*self.user_fields, field_name]


class EntityState(models.Model):
    """A hidden, changeable property of an entity; ``value`` is its current value (JSON)."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="states")
    state_key = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    state_type = models.CharField(max_length=32, choices=EntityStateType.choices)
    value_range = models.JSONField(null=True, blank=True)
    units = models.CharField(max_length=32, blank=True, default="")
    value = models.JSONField(null=True, blank=True)
    value_updated_at = models.DateTimeField(null=True, blank=True)
    user_fields = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["entity", "id"]
        constraints = [models.UniqueConstraint(fields=["entity", "state_key"], name="unique_state_key_per_entity")]

    def __str__(self) -> str:
        return f"{self.entity.name} · {self.name}"


def attribute_upload_path(instance: EntityAttribute, filename: str) -> str:
    return f"attributes/{instance.entity_id}/{filename}"


class EntityAttribute(models.Model):
    """User-defined (or integration-provided, read-only) information about an entity."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(max_length=200)
    value_type = models.CharField(max_length=16, choices=AttributeValueType.choices, default=AttributeValueType.TEXT)
    value = models.TextField(blank=True, default="")
    file = models.FileField(upload_to=attribute_upload_path, null=True, blank=True, max_length=500)
    source = models.CharField(max_length=16, choices=AttributeSource.choices, default=AttributeSource.USER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["entity", "name", "id"]

    def __str__(self) -> str:
        return f"{self.entity.name} · {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a replaced file, or a non-file type, removes the file it had from disk.

        Otherwise the old upload stayed on disk and downloadable (``/attributes/<id>/file`` still served it
        after the attribute became text). The file is removed after the row is committed, never before.
        """
        if self.value_type != AttributeValueType.FILE and self.file:
            self.file = None
        previous = (type(self).objects.filter(pk=self.pk).values_list("file", flat=True).first()
                    if self.pk else None)
        super().save(*args, **kwargs)
        if previous and previous != (self.file.name if self.file else ""):
            storage = self.file.storage if self.file else self._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(previous))

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        name = self.file.name if self.file else ""
        storage = self._meta.get_field("file").storage
        result = super().delete(*args, **kwargs)
        if name:
            transaction.on_commit(lambda: storage.delete(name))
        return result
