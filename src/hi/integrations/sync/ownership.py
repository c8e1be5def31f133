"""Which of an integration's entities carry something a person made (and so must never be deleted silently)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.models import Entity, EntityAttribute, EntityState


def integration_entity_filter(integration_id: str, prefix: str = "") -> Q:
    """Entities keyed by ``integration_id``, live or detached (``prefix`` for related lookups)."""
    return (Q(**{f"{prefix}integration_id": integration_id})
            | Q(**{f"{prefix}integration_id__isnull": True,
                   f"{prefix}detached_key__startswith": f"{integration_id}:"}))


def entities_with_user_data(entities: Iterable[Entity], integration_id: str) -> set[int]:
    """Ids among ``entities`` with user renames (entity or state) or user attributes: three queries at most."""
    by_id = {entity.id: entity for entity in entities}
    owned = {entity_id for entity_id, entity in by_id.items() if entity.user_fields}
    scope = integration_entity_filter(integration_id, "entity__")
    owned |= set(EntityAttribute.objects.filter(scope, source=AttributeSource.USER)
                 .values_list("entity_id", flat=True).distinct())
    for entity_id, user_fields in EntityState.objects.filter(scope).values_list("entity_id", "user_fields"):
        if user_fields:
            owned.add(entity_id)
    return owned & set(by_id)
