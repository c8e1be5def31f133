"""What the simulated HomeBox knows: groups (tenants), locations, tags, items, attachments, users, tokens.

The JSON each generation answers with is built here (``summary_json`` / ``detail_json``), because
the differences are in field names, not in the data. Tests change the data directly (rename,
archive, replace an attachment) while the server answers over a real socket; all access is locked.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

ZERO_TIME = "0001-01-01T00:00:00Z"
# ids are derived from the order things are added, so the same demo home has the same ids on every
# run: a hub that syncs a restarted simulator sees the same items, not a new copy of each
ID_NAMESPACE = uuid.UUID("6f1d9a52-3c1e-4f0b-9b7e-2a4c8e5d7f10")
LINK_MIME = "link/url"


def version_tuple(version: str) -> tuple[int, ...]:
    parts = version.lstrip("v").split("-")[0].split(".")
    return tuple(int(p) for p in parts if p.isdigit())


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _date(value: dt.date | str | None) -> str:
    """A date as HomeBox sends it; a string is sent as it is (tests use that for malformed data)."""
    if isinstance(value, str):
        return value
    return f"{value.isoformat()}T00:00:00Z" if value else ZERO_TIME


@dataclass
class SimAttachment:
    id: str
    title: str
    type: str  # photo | manual | receipt | warranty | attachment
    mime: str
    content: bytes = b""
    primary: bool = False
    link_url: str = ""
    updated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass
class SimLocation:
    id: str
    name: str
    parent_id: str = ""
    group_id: str = ""


@dataclass
class SimItem:
    id: str
    name: str
    group_id: str
    location_id: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)  # tag names
    archived: bool = False
    serial_number: str = ""
    model_number: str = ""
    manufacturer: str = ""
    warranty_expires: dt.date | None = None
    lifetime_warranty: bool = False
    warranty_details: str = ""
    purchase_date: dt.date | None = None
    purchase_from: str = ""
    purchase_price: float = 0.0
    notes: str = ""
    quantity: float = 1
    insured: bool = False
    entity_type: str = "Item"
    fields: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[SimAttachment] = field(default_factory=list)
    updated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


class HomeBoxState:
    """The server's data and clock; ``version`` decides which generation of the API the server speaks."""

    def __init__(self, version: str, *, users: dict[str, str], api_keys: dict[str, str] | None = None,
                 token_lifetime: float | None = None, currency: str = "USD") -> None:
        self.version = version
        self.lock = threading.RLock()
        self.users = dict(users)
        self.api_keys = dict(api_keys or {})  # key → user
        self.token_lifetime = token_lifetime  # None: HomeBox's 7 days (28 with stayLoggedIn)
        self.groups: dict[str, dict[str, str]] = {}
        self.membership: dict[str, list[str]] = {}  # user → group ids, the first is the default
        self.locations: dict[str, SimLocation] = {}
        self.items: dict[str, SimItem] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # raw → (user, expires at, state clock)
        self.offset = 0.0
        self._added = 0
        self.logins = self.refreshes = self.failed_logins = self.rate_limited = 0
        self.attachment_downloads = 0
        self.auth_attempts: dict[str, dict[str, float]] = {}  # client key → attempts, last, locked_until
        self.rate_window, self.rate_max, self.rate_base, self.rate_max_backoff = 60.0, 5, 10.0, 300.0
        self.default_group = self.add_group("Home", currency)
        for user in self.users:
            self.membership[user] = [self.default_group]

    # -- generation facts ---------------------------------------------------------------------------
    @property
    def vt(self) -> tuple[int, ...]:
        return version_tuple(self.version)

    @property
    def entities_api(self) -> bool:
        return self.vt >= (0, 26)

    @property
    def tag_word(self) -> str:
        return "tags" if self.vt >= (0, 23) else "labels"

    @property
    def rate_limited_logins(self) -> bool:
        return self.vt >= (0, 23)

    @property
    def wrong_password_status(self) -> int:
        return 401 if self.vt >= (0, 22) else 500

    # -- clock ------------------------------------------------------------------------------------
    def now(self) -> float:
        return time.monotonic() + self.offset

    def wall(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=self.offset)

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.offset += seconds

    # -- data ---------------------------------------------------------------------------------------
    def _new_id(self, kind: str) -> str:
        with self.lock:
            self._added += 1
            return str(uuid.uuid5(ID_NAMESPACE, f"{kind}-{self._added}"))

    def add_group(self, name: str, currency: str = "USD") -> str:
        group_id = self._new_id("group")
        self.groups[group_id] = {"id": group_id, "name": name, "currency": currency}
        return group_id

    def add_location(self, name: str, parent_id: str = "", group_id: str = "") -> str:
        location = SimLocation(self._new_id("location"), name, parent_id, group_id or self.default_group)
        with self.lock:
            self.locations[location.id] = location
        return location.id

    def add_item(self, name: str, location_id: str = "", group_id: str = "", **values: Any) -> SimItem:
        item = SimItem(self._new_id("item"), name, group_id or self.default_group, location_id, **values)
        item.updated_at = self.wall()
        with self.lock:
            self.items[item.id] = item
        return item

    def add_attachment(self, item_id: str, title: str, kind: str = "attachment", mime: str = "application/pdf",
                       content: bytes = b"", primary: bool = False, link_url: str = "") -> SimAttachment:
        attachment = SimAttachment(self._new_id("attachment"), title, kind, LINK_MIME if link_url else mime,
                                   content, primary, link_url, self.wall())
        with self.lock:
            self.items[item_id].attachments.append(attachment)
            self.items[item_id].updated_at = self.wall()
        return attachment

    def update_item(self, item_id: str, **values: Any) -> None:
        """Change fields of an item as the HomeBox UI would (its ``updatedAt`` moves)."""
        with self.lock:
            item = self.items[item_id]
            for key, value in values.items():
                setattr(item, key, value)
            item.updated_at = self.wall() + dt.timedelta(microseconds=1)

    def replace_attachment(self, item_id: str, attachment_id: str, content: bytes) -> None:
        """A new file under the same attachment: its ``updatedAt`` and the item's move."""
        with self.lock:
            item = self.items[item_id]
            for attachment in item.attachments:
                if attachment.id == attachment_id:
                    attachment.content = content
                    attachment.updated_at = self.wall() + dt.timedelta(microseconds=1)
            item.updated_at = self.wall() + dt.timedelta(microseconds=1)

    def delete_item(self, item_id: str) -> None:
        with self.lock:
            del self.items[item_id]

    # -- auth ---------------------------------------------------------------------------------------
    def issue(self, user: str, stay_logged_in: bool) -> tuple[str, dt.datetime]:
        lifetime = self.token_lifetime or (28 if stay_logged_in else 7) * 86400.0
        raw = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[raw] = (user, self.now() + lifetime)
        return raw, self.wall() + dt.timedelta(seconds=lifetime)

    def user_for(self, header: str) -> str | None:
        """The user a bearer token (session token, or from v0.26 an ``hb_`` API key) belongs to."""
        raw = header.removeprefix("Bearer ").strip()
        with self.lock:
            found = self.tokens.get(raw)
            if found is not None:
                return found[0] if self.now() < found[1] else None
            if self.entities_api and raw in self.api_keys:
                return self.api_keys[raw]
        return None

    def auth_blocked(self, key: str) -> float | None:
        """Seconds the client must still wait (HomeBox v0.23+ counts failed logins per address)."""
        with self.lock:
            entry = self.auth_attempts.get(key)
            now = self.now()
            if entry is None or now - entry["last"] > self.rate_window:
                self.auth_attempts.pop(key, None)
                return None
            if now < entry["locked_until"]:
                return entry["locked_until"] - now
        return None

    def record_login(self, key: str, success: bool) -> None:
        with self.lock:
            if success:
                self.auth_attempts.pop(key, None)
                return
            now = self.now()
            entry = self.auth_attempts.setdefault(key, {"attempts": 0, "last": now, "locked_until": 0.0})
            if now - entry["last"] > self.rate_window:
                entry["attempts"], entry["locked_until"] = 0, 0.0
            entry["attempts"] += 1
            entry["last"] = now
            over = entry["attempts"] - self.rate_max
            if over > 0:
                entry["locked_until"] = now + min(self.rate_base * 2 ** (over - 1), self.rate_max_backoff)

    # -- JSON ---------------------------------------------------------------------------------------
    def _tags_json(self, item: SimItem) -> list[dict[str, Any]]:
        return [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, t)), "name": t, "description": "",
                 "createdAt": ZERO_TIME, "updatedAt": ZERO_TIME} for t in item.tags]

    def _where_json(self, item: SimItem) -> dict[str, Any] | None:
        location = self.locations.get(item.location_id)
        if location is None:
            return None
        return {"id": location.id, "name": location.name, "description": "", "createdAt": ZERO_TIME,
                "updatedAt": ZERO_TIME}

    def summary_json(self, item: SimItem) -> dict[str, Any]:
        new = self.entities_api
        body: dict[str, Any] = {
            "id": item.id, "assetId": "000-000", "name": item.name, "description": item.description,
            "quantity": item.quantity if self.vt >= (0, 25) else int(item.quantity), "insured": item.insured,
            "archived": item.archived, "createdAt": _iso(item.updated_at), "updatedAt": _iso(item.updated_at),
            "purchasePrice": item.purchase_price if self.vt >= (0, 11) else f"{item.purchase_price:.2f}",
            self.tag_word: self._tags_json(item), ("parent" if new else "location"): self._where_json(item),
            "imageId": next((a.id for a in item.attachments if a.primary), ""),
        }
        if new:
            body["entityType"] = {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, item.entity_type)),
                                  "name": item.entity_type, "isLocation": False}
        return body

    def _attachment_json(self, attachment: SimAttachment) -> dict[str, Any]:
        if self.vt < (0, 11):  # the old lineage nests the title in a document
            return {"id": attachment.id, "type": attachment.type, "primary": attachment.primary,
                    "createdAt": _iso(attachment.updated_at), "updatedAt": _iso(attachment.updated_at),
                    "document": {"id": attachment.id, "title": attachment.title, "path": ""}}
        return {"id": attachment.id, "type": attachment.type, "primary": attachment.primary,
                "title": attachment.title, "mimeType": attachment.mime,
                "path": attachment.link_url or f"documents/{attachment.id}",
                "createdAt": _iso(attachment.updated_at), "updatedAt": _iso(attachment.updated_at)}

    def detail_json(self, item: SimItem) -> dict[str, Any]:
        new = self.entities_api
        body = self.summary_json(item)
        body.update({
            "serialNumber": item.serial_number, "modelNumber": item.model_number,
            "manufacturer": item.manufacturer, "lifetimeWarranty": item.lifetime_warranty,
            "warrantyExpires": _date(item.warranty_expires), "warrantyDetails": item.warranty_details,
            ("purchaseDate" if new else "purchaseTime"): _date(item.purchase_date),
            "purchaseFrom": item.purchase_from,
            ("soldDate" if new else "soldTime"): ZERO_TIME, "soldTo": "",
            "soldPrice": 0 if self.vt >= (0, 11) else "0", "soldNotes": "", "notes": item.notes,
            "attachments": [self._attachment_json(a) for a in item.attachments],
            "fields": [{"id": str(uuid.uuid5(uuid.NAMESPACE_URL, item.id + f["name"])), **f} for f in item.fields],
        })
        return body

    def tree_json(self, group_id: str) -> list[dict[str, Any]]:
        children: dict[str, list[SimLocation]] = {}
        for location in self.locations.values():
            if location.group_id == group_id:
                children.setdefault(location.parent_id, []).append(location)

        def node(location: SimLocation) -> dict[str, Any]:
            return {"id": location.id, "name": location.name, "type": "location",
                    "children": [node(c) for c in children.get(location.id, [])]}

        return [node(root) for root in children.get("", [])]
