"""HomeBox payloads as pydantic models, and the one normalised shape both API generations map onto.

HomeBox renamed fields between releases (``labels`` → ``tags`` in v0.23, ``location`` → ``parent``,
``purchaseTime`` → ``purchaseDate`` and the ``/entities`` merge in v0.26, ``quantity`` int → float,
attachment ``title`` moved out of a nested ``document`` after v0.10). The raw models accept every
spelling; ``to_summary`` / ``to_detail`` produce ``ItemSummary`` / ``ItemDetail`` so nothing past this
module needs to know which generation answered. Unknown fields are ignored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

LINK_MIME_TYPE = "link/url"  # HomeBox's mime type for an attachment that is an outside URL


def _zero_to_none(value: Any) -> Any:
    """HomeBox sends Go's zero time (``0001-01-01T00:00:00Z``) or "" for 'not set'."""
    if value in (None, "") or (isinstance(value, str) and value.startswith("0001-01-01")):
        return None
    return value


def parse_date(value: Any) -> dt.date | None:
    """A date from ``2026-03-01``, ``2026-03-01T00:00:00Z`` or Go's zero time (→ None)."""
    value = _zero_to_none(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"not a date: {str(value)[:40]!r}") from None


def parse_money(value: Any) -> float | None:
    """Prices are numbers from v0.11 on and strings ("12.50") on the old lineage; 0 means not set."""
    if value in (None, ""):
        return None
    number = float(value)
    return number or None


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Ref(_Loose):
    """``{id, name}`` as HomeBox nests locations, parents, tags and labels."""

    id: str
    name: str = ""


class RawAttachment(_Loose):
    id: str
    type: str = ""
    primary: bool = False
    title: str = ""
    mimeType: str = ""
    path: str = ""
    updatedAt: str = ""
    document: dict[str, Any] | None = None  # v0.10 and older: {id, title, path}


class RawField(_Loose):
    id: str = ""
    type: str = "text"
    name: str = ""
    textValue: str = ""
    numberValue: float | None = None
    booleanValue: bool = False
    timeValue: str | None = None


class RawItem(_Loose):
    """An item (≤ v0.25) or entity (v0.26) summary or detail; detail-only fields default to empty."""

    id: str
    name: str = ""
    description: str = ""
    archived: bool = False
    updatedAt: str = ""
    quantity: float = 1
    insured: bool = False
    location: Ref | None = None
    parent: Ref | None = None
    labels: list[Ref] = Field(default_factory=list)
    tags: list[Ref] = Field(default_factory=list)
    entityType: dict[str, Any] | None = None
    assetId: str = ""
    serialNumber: str = ""
    modelNumber: str = ""
    manufacturer: str = ""
    lifetimeWarranty: bool = False
    warrantyExpires: str | None = None
    warrantyDetails: str = ""
    purchaseTime: str | None = None
    purchaseDate: str | None = None
    purchaseFrom: str = ""
    purchasePrice: float | str | None = None
    soldTime: str | None = None
    soldDate: str | None = None
    soldTo: str = ""
    soldPrice: float | str | None = None
    soldNotes: str = ""
    notes: str = ""
    attachments: list[RawAttachment] = Field(default_factory=list)
    fields: list[RawField] = Field(default_factory=list)

    @field_validator("quantity", mode="before")
    @classmethod
    def _quantity(cls, value: Any) -> Any:
        return 1 if value in (None, "") else value


class RawSummary(_Loose):
    """The few fields of a list row hi reads (validating every field of 5,000 rows costs a second)."""

    id: str
    name: str = ""
    updatedAt: str = ""
    archived: bool = False
    location: Ref | None = None
    parent: Ref | None = None


class ItemsPage(_Loose):
    page: int = 1
    pageSize: int = 0
    total: int = 0
    items: list[RawSummary] = Field(default_factory=list)


class TreeNode(_Loose):
    id: str
    name: str = ""
    type: str = "location"
    children: list[TreeNode] = Field(default_factory=list)


class Build(_Loose):
    version: str = ""
    commit: str = ""


class Status(_Loose):
    """``GET /api/v1/status`` (no auth): the build tells which API generation to speak."""

    build: Build = Field(default_factory=Build)
    health: bool = True
    title: str = ""
    demo: bool = False


class Group(_Loose):
    id: str = ""
    name: str = ""
    currency: str = ""


class TokenAnswer(_Loose):
    """Login answers ``token: "Bearer <raw>"``; refresh answers ``raw`` (no prefix). Both carry ``expiresAt``."""

    token: str = ""
    raw: str = ""
    expiresAt: str = ""
    attachmentToken: str = ""

    @property
    def bare_token(self) -> str:
        return (self.token or self.raw).removeprefix("Bearer ").strip()


# -- the normalised shape ----------------------------------------------------------------------------
class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    kind: str  # photo | manual | receipt | warranty | attachment | thumbnail …
    mime_type: str = ""
    primary: bool = False
    updated_at: str = ""
    link_url: str = ""  # set for link attachments: shown as a link, never fetched

    @property
    def is_link(self) -> bool:
        return bool(self.link_url)


class CustomField(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    value: str | float | bool | None


class ItemSummary(BaseModel):
    """What a list page says of one item: enough to decide whether its detail must be re-read."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    updated_at: str
    archived: bool = False
    location_id: str = ""
    location_name: str = ""


class ItemDetail(BaseModel):
    """One item, generation-independent; this is what the synchronizer caches between syncs."""

    id: str
    name: str
    updated_at: str
    archived: bool = False
    description: str = ""
    location_id: str = ""
    location_name: str = ""
    tags: list[str] = Field(default_factory=list)
    entity_type: str = ""
    asset_id: str = ""
    serial_number: str = ""
    model_number: str = ""
    manufacturer: str = ""
    lifetime_warranty: bool = False
    warranty_expires: dt.date | None = None
    warranty_details: str = ""
    purchase_date: dt.date | None = None
    purchase_from: str = ""
    purchase_price: float | None = None
    sold_date: dt.date | None = None
    sold_to: str = ""
    sold_price: float | None = None
    sold_notes: str = ""
    notes: str = ""
    quantity: float = 1
    insured: bool = False
    attachments: list[Attachment] = Field(default_factory=list)
    fields: list[CustomField] = Field(default_factory=list)


def _where(raw: RawItem | RawSummary) -> Ref | None:
    return raw.parent or raw.location


def to_summary(raw: RawSummary) -> ItemSummary:
    where = _where(raw)
    return ItemSummary(id=raw.id, name=raw.name, updated_at=raw.updatedAt, archived=raw.archived,
                       location_id=where.id if where else "", location_name=where.name if where else "")


def _attachment(raw: RawAttachment) -> Attachment:
    document = raw.document or {}
    title = raw.title or str(document.get("title") or "") or raw.id
    link = raw.path if raw.mimeType == LINK_MIME_TYPE else ""
    return Attachment(id=raw.id, title=title, kind=raw.type or "attachment", mime_type=raw.mimeType,
                      primary=raw.primary, updated_at=raw.updatedAt, link_url=link)


def _field(raw: RawField) -> CustomField:
    value: str | float | bool | None
    if raw.type == "number":
        value = raw.numberValue
    elif raw.type == "boolean":
        value = raw.booleanValue
    elif raw.type == "time":
        parsed = parse_date(raw.timeValue or raw.textValue)
        value = parsed.isoformat() if parsed else None
    else:
        value = raw.textValue
    return CustomField(name=raw.name, type=raw.type, value=value)


def to_detail(raw: RawItem) -> ItemDetail:
    """Normalise one item/entity detail; a malformed date or price raises ValueError (the caller names the item)."""
    where = _where(raw)
    type_name = str((raw.entityType or {}).get("name") or "")
    return ItemDetail(
        id=raw.id, name=raw.name, updated_at=raw.updatedAt, archived=raw.archived, description=raw.description,
        location_id=where.id if where else "", location_name=where.name if where else "",
        tags=sorted({t.name for t in (raw.tags or raw.labels) if t.name}), entity_type=type_name,
        asset_id=raw.assetId, serial_number=raw.serialNumber, model_number=raw.modelNumber,
        manufacturer=raw.manufacturer, lifetime_warranty=raw.lifetimeWarranty,
        warranty_expires=parse_date(raw.warrantyExpires), warranty_details=raw.warrantyDetails,
        purchase_date=parse_date(raw.purchaseDate or raw.purchaseTime), purchase_from=raw.purchaseFrom,
        purchase_price=parse_money(raw.purchasePrice), sold_date=parse_date(raw.soldDate or raw.soldTime),
        sold_to=raw.soldTo, sold_price=parse_money(raw.soldPrice), sold_notes=raw.soldNotes, notes=raw.notes,
        quantity=raw.quantity, insured=raw.insured,
        attachments=[_attachment(a) for a in raw.attachments], fields=[_field(f) for f in raw.fields if f.name])


def location_paths(roots: list[TreeNode]) -> dict[str, tuple[str, ...]]:
    """Every location id in a ``/tree`` answer → its path of names from the root (items in the tree skipped)."""
    paths: dict[str, tuple[str, ...]] = {}
    stack: list[tuple[TreeNode, tuple[str, ...]]] = [(node, ()) for node in roots]
    while stack:
        node, above = stack.pop()
        path = (*above, node.name)
        if node.type != "item":
            paths[node.id] = path
        stack.extend((child, path) for child in node.children)
    return paths


TreeNode.model_rebuild()
