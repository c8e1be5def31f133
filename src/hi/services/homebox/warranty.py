"""Warranties ending soon: items whose ``Warranty expires`` attribute falls within the next N days.

Dates are stored as ISO text (``2026-12-24``), so the range is a plain string comparison the
database can index; one query for the items, one for their locations and manuals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.models import Entity, EntityAttribute

from .client import INTEGRATION_ID
from .hb_converter import LOCATION_ATTRIBUTE, WARRANTY_ATTRIBUTE

DEFAULT_DAYS = 90
MAX_DAYS = 3650


@dataclass
class WarrantyRow:
    entity: Entity
    expires: dt.date
    days_left: int
    location: str = ""
    documents: list[tuple[str, str]] = field(default_factory=list)  # (name, hub URL) of manuals/receipts/warranties


def clamp_days(raw: str | None) -> int:
    try:
        days = int(raw) if raw else DEFAULT_DAYS
    except ValueError:
        days = DEFAULT_DAYS
    return max(0, min(days, MAX_DAYS))


def expiring(days: int, today: dt.date, include_expired_days: int = 0) -> list[WarrantyRow]:
    """Items of the HomeBox integration whose warranty ends between today (minus the grace) and today + days."""
    start = (today - dt.timedelta(days=include_expired_days)).isoformat()
    end = (today + dt.timedelta(days=days)).isoformat()
    found = (EntityAttribute.objects.filter(name=WARRANTY_ATTRIBUTE, source=AttributeSource.INTEGRATION,
                                            entity__integration_id=INTEGRATION_ID, value__gte=start, value__lte=end)
             .select_related("entity").order_by("value", "entity__name"))
    rows: dict[int, WarrantyRow] = {}
    for attribute in found:
        expires = dt.date.fromisoformat(attribute.value)
        rows[attribute.entity_id] = WarrantyRow(attribute.entity, expires, (expires - today).days)
    extras = EntityAttribute.objects.filter(entity_id__in=list(rows), source=AttributeSource.INTEGRATION).filter(
        name__regex=r"^(Location|Manual: |Receipt: |Warranty: )").values_list("entity_id", "name", "value")
    for entity_id, name, value in extras:
        if name == LOCATION_ATTRIBUTE:
            rows[entity_id].location = value
        else:
            rows[entity_id].documents.append((name, value))
    return list(rows.values())


def ending_soon_count(days: int, today: dt.date) -> int:
    """How many items' warranties end within ``days`` (the value of the ``ending_soon`` state)."""
    return (EntityAttribute.objects.filter(name=WARRANTY_ATTRIBUTE, source=AttributeSource.INTEGRATION,
                                           entity__integration_id=INTEGRATION_ID, value__gte=today.isoformat(),
                                           value__lte=(today + dt.timedelta(days=days)).isoformat()).count())
