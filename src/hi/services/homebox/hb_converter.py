"""HomeBox items → the hub's model: one entity per item, typed read-only attributes, files by proxy.

Pure functions of an ``ItemDetail`` (plus the location path and the group's currency), so an item
whose ``updatedAt`` has not moved converts to exactly what it converted to last time and the sync
plan sees nothing to do. The payload keeps the normalised detail: it is the cache the next sync
reads instead of asking HomeBox again. The HomeBox location path is the entity's room suggestion
(``ExternalEntity.location``, applied once by the sync engine, never over a person's choice) and
also a read-only ``Location`` attribute.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from hi.apps.entity.enums import AttributeValueType, EntityStateType, EntityType
from hi.integrations.keys import IntegrationKey
from hi.integrations.sync.inventory import ExternalAttribute, ExternalEntity, ExternalSensor, ExternalState

from .client import INTEGRATION_ID, Attachment, ItemDetail

LOCATION_ATTRIBUTE = "Location"
TAGS_ATTRIBUTE = "Tags"
WARRANTY_ATTRIBUTE = "Warranty expires"
PHOTO_ATTRIBUTE = "Photo"
# words in a tag or HomeBox entity type → the hub's entity type (first match wins, tags before type)
TYPE_WORDS: tuple[tuple[str, str], ...] = (
    ("appliance", EntityType.APPLIANCE), ("washer", EntityType.APPLIANCE), ("dryer", EntityType.APPLIANCE),
    ("dishwasher", EntityType.APPLIANCE), ("refrigerator", EntityType.APPLIANCE), ("fridge", EntityType.APPLIANCE),
    ("oven", EntityType.APPLIANCE), ("microwave", EntityType.APPLIANCE), ("hvac", EntityType.APPLIANCE),
    ("furnace", EntityType.APPLIANCE), ("camera", EntityType.CAMERA), ("lamp", EntityType.LIGHT),
    ("light", EntityType.LIGHT), ("fan", EntityType.FAN), ("lock", EntityType.LOCK),
    ("thermostat", EntityType.THERMOSTAT), ("server", EntityType.SERVER), ("nas", EntityType.SERVER),
    ("television", EntityType.MEDIA_PLAYER), ("tv", EntityType.MEDIA_PLAYER), ("speaker", EntityType.MEDIA_PLAYER),
    ("sensor", EntityType.SENSOR), ("item", EntityType.ITEM),
)
# the value types as plain strings (converting the enum members 100,000 times in a 5,000-item import shows)
TEXT, NUMBER, DATE, BOOLEAN, URL, FILE = (str(t.value) for t in (
    AttributeValueType.TEXT, AttributeValueType.NUMBER, AttributeValueType.DATE, AttributeValueType.BOOLEAN,
    AttributeValueType.URL, AttributeValueType.FILE))
KIND_LABELS = {"photo": "Photo", "manual": "Manual", "receipt": "Receipt", "warranty": "Warranty",
               "attachment": "Attachment", "thumbnail": "Thumbnail"}


def entity_type_for(tags: Iterable[str], homebox_type: str = "") -> str:
    """The hub type a tag or HomeBox's entity type names (whole words, any case); else ``other``."""
    for source in (*tags, homebox_type):
        words = set(source.lower().replace("-", " ").replace("_", " ").split())
        for word, hub_type in TYPE_WORDS:
            if word in words:
                return str(hub_type)
    return str(EntityType.OTHER)


ATTACHMENT_PATH = re.compile(r"/homebox/items/(?P<item>[^/]+)/attachments/(?P<attachment>[^/]+)")


def attachment_url(item_id: str, attachment: Attachment) -> str:
    """The hub's own address for a file (login required there); never HomeBox's, never with a token."""
    return f"/homebox/items/{item_id}/attachments/{attachment.id}"


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def _attribute_rows(item: ItemDetail, location_path: Sequence[str], currency: str) -> list[ExternalAttribute]:
    text, number, date, boolean = TEXT, NUMBER, DATE, BOOLEAN
    money = f" ({currency})" if currency else ""
    rows: list[tuple[str, Any, str]] = [
        ("Description", item.description, text), ("Serial number", item.serial_number, text),
        ("Model number", item.model_number, text), ("Manufacturer", item.manufacturer, text),
        ("Asset id", item.asset_id if item.asset_id.strip("0-") else "", text),
        (WARRANTY_ATTRIBUTE, item.warranty_expires.isoformat() if item.warranty_expires else "", date),
        ("Lifetime warranty", "yes" if item.lifetime_warranty else "", boolean),
        ("Warranty details", item.warranty_details, text),
        ("Purchase date", item.purchase_date.isoformat() if item.purchase_date else "", date),
        ("Purchased from", item.purchase_from, text),
        (f"Purchase price{money}", _number(item.purchase_price) if item.purchase_price else "", number),
        ("Sold date", item.sold_date.isoformat() if item.sold_date else "", date), ("Sold to", item.sold_to, text),
        (f"Sold price{money}", _number(item.sold_price) if item.sold_price else "", number),
        ("Sold notes", item.sold_notes, text), ("Notes", item.notes, text),
        ("Quantity", _number(item.quantity) if item.quantity != 1 else "", number),
        ("Insured", "yes" if item.insured else "", boolean),
        (LOCATION_ATTRIBUTE, " / ".join(location_path) or item.location_name, text),
        (TAGS_ATTRIBUTE, ", ".join(item.tags), text),
    ]
    for custom in item.fields:
        if custom.value in (None, ""):
            continue
        kind = {"number": number, "boolean": boolean, "time": date}.get(custom.type, text)
        value = ("yes" if custom.value else "no") if isinstance(custom.value, bool) else custom.value
        value = _number(value) if isinstance(value, float) else value
        rows.append((custom.name, value, kind))
    attributes = [ExternalAttribute(name, str(value), kind) for name, value, kind in rows if value != ""]
    seen: set[str] = set()
    for attachment in item.attachments:
        label = KIND_LABELS.get(attachment.kind, attachment.kind.title() or "Attachment")
        name = f"{label}: {attachment.title}"
        if name in seen:
            name = f"{name} ({attachment.id[:8]})"
        seen.add(name)
        if attachment.is_link:
            attributes.append(ExternalAttribute(name, attachment.link_url, URL))
        else:
            attributes.append(ExternalAttribute(name, value_type=FILE,
                                                file_url=attachment_url(item.id, attachment)))
    photo = primary_photo(item)
    if photo is not None:
        attributes.append(ExternalAttribute(PHOTO_ATTRIBUTE, value_type=FILE,
                                            file_url=attachment_url(item.id, photo)))
    return attributes


def primary_photo(item: ItemDetail) -> Attachment | None:
    """The attachment HomeBox marks primary (or the first photo): the entity's picture on cards."""
    photos = [a for a in item.attachments if not a.is_link and (a.kind == "photo" or a.mime_type.startswith("image/"))]
    return next((a for a in photos if a.primary), photos[0] if photos else None)


def item_payload(item: ItemDetail, location_path: Sequence[str]) -> dict[str, Any]:
    """What the entity stores: the detail (the next sync's cache) as one JSON string, so the payload is
    a flat dict of scalars the sync plan compares without re-encoding, and the location path."""
    return {"updatedAt": item.updated_at, "item": item.model_dump_json(exclude_defaults=True),
            "location_path": " / ".join(location_path)}


def to_entity(item: ItemDetail, location_path: Sequence[str], currency: str) -> ExternalEntity:
    return ExternalEntity(key=IntegrationKey(INTEGRATION_ID, item.id), name=item.name or item.id,
                          entity_type=entity_type_for(item.tags, item.entity_type),
                          attributes=tuple(_attribute_rows(item, location_path, currency)),
                          payload=item_payload(item, location_path), location=tuple(location_path))


def cached_detail(payload: Mapping[str, Any] | None) -> ItemDetail | None:
    """The detail a previous sync stored, or None when the payload is missing or from an older layout."""
    raw = payload.get("item") if payload else None
    if not isinstance(raw, str):
        return None
    try:
        return ItemDetail.model_validate_json(raw)
    except ValueError:
        return None


# -- the warranty summary: one state an alarm rule can watch ------------------------------------------
WARRANTIES_KEY = IntegrationKey(INTEGRATION_ID, "warranties")
ENDING_SOON_KEY = IntegrationKey(INTEGRATION_ID, "warranties.ending_soon")
DEFAULT_WARRANTY_DAYS = 30


def warranty_days(attributes: Mapping[str, str]) -> int:
    raw = (attributes.get("warranty_days") or "").strip()
    try:
        return max(0, min(int(raw), 3650)) if raw else DEFAULT_WARRANTY_DAYS
    except ValueError:
        return DEFAULT_WARRANTY_DAYS


def warranty_entity(count: int, days: int) -> ExternalEntity:
    """A virtual entity whose one numeric state counts warranties ending within ``days``: the alarm
    layer's rules take states as inputs, so "ending soon above 0" alerts before a warranty runs out."""
    state = ExternalState("ending_soon", f"Warranties ending within {days} days", str(EntityStateType.CONTINUOUS),
                          value_range={"min": 0}, units="items", value=count,
                          sensor=ExternalSensor(ENDING_SOON_KEY, "Warranties ending soon"))
    return ExternalEntity(key=WARRANTIES_KEY, name="Warranties ending soon", entity_type=str(EntityType.VIRTUAL),
                          states=(state,), payload={"days": days})


def count_ending(entities: Iterable[ExternalEntity], start: str, end: str) -> int:
    """Items whose ``Warranty expires`` (ISO text) lies in [start, end]."""
    return sum(1 for entity in entities for a in entity.attributes
               if a.name == WARRANTY_ATTRIBUTE and start <= a.value <= end)
