"""Import / refresh: HomeBox's items as an Inventory, re-reading only items whose ``updatedAt`` moved.

A sync costs ``/status``, ``/groups`` (currency), the location tree and the item list pages
(1,000 items a page) — a constant handful of requests whatever the size of the inventory — plus
one detail request per item that is new or changed. Unchanged items are rebuilt from the detail
the previous sync stored in the entity's payload. Attachments are not downloaded here (lazily, by
the attachment view). Archived items are not listed, so the engine detaches them (kept, with the
user's edits) and reconnects them if they are unarchived; removal only with ``--remove-missing``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from hi.apps.entity.models import Entity
from hi.integrations.exceptions import DataValidationError
from hi.integrations.integration_gateway import IntegrationSynchronizer
from hi.integrations.sync.inventory import ExternalEntity, Inventory
from hi.integrations.timeouts import configured as configured_timeouts

from . import attachments
from .client import INTEGRATION_ID, HomeBoxClient, ItemDetail
from .hb_converter import (
    ATTACHMENT_PATH,
    cached_detail,
    count_ending,
    to_entity,
    warranty_days,
    warranty_entity,
)
from .hb_settings import settings_from

logger = logging.getLogger("hi.services.homebox.sync")
DETAIL_WORKERS = 4
_last: dict[str, Any] = {}
_last_lock = threading.Lock()
# item id → ((updatedAt, location path, currency), converted entity): a refresh in the same process (the
# worker's hourly one) neither re-reads nor re-converts an unchanged item. Conversion is a pure function of
# that key, so a hit is exactly what converting again would give.
_converted: dict[str, tuple[tuple[str, tuple[str, ...], str], ExternalEntity]] = {}
_converted_lock = threading.Lock()


def forget_conversions() -> None:
    """Drop the in-process conversion memo (tests; a configuration change needs nothing: keys carry all inputs)."""
    with _converted_lock:
        _converted.clear()


def last_sync() -> dict[str, Any]:
    """What the last sync in this process cost (for health)."""
    with _last_lock:
        return dict(_last)


def _cache(item_ids: list[str]) -> dict[str, Any]:
    """The details previous syncs stored with the entities (only for items the memo cannot answer)."""
    if not item_ids:
        return {}
    rows = Entity.objects.filter(integration_id=INTEGRATION_ID)
    if len(item_ids) < 500:
        rows = rows.filter(integration_name__in=item_ids)
    return dict(rows.values_list("integration_name", "integration_payload").iterator(chunk_size=2000))


def fetch_details(client: HomeBoxClient, item_ids: list[str]) -> tuple[dict[str, ItemDetail], dict[str, str]]:
    """Detail of each item, a few at a time (the HTTP client is thread-safe and shares one token).

    An item whose detail does not fit the schema is reported in the second dict (id → reason), not
    raised: one malformed item must not stop the other 4,999 from being imported."""

    def one(item_id: str) -> ItemDetail | DataValidationError:
        try:
            return client.item(item_id)
        except DataValidationError as exc:
            return exc

    if not item_ids:
        return {}, {}
    if len(item_ids) == 1:
        answers = [one(item_ids[0])]
    else:
        with ThreadPoolExecutor(max_workers=DETAIL_WORKERS, thread_name_prefix="homebox-detail") as pool:
            answers = list(pool.map(one, item_ids))
    details = {i: a for i, a in zip(item_ids, answers, strict=True) if isinstance(a, ItemDetail)}
    failed = {i: a.message for i, a in zip(item_ids, answers, strict=True) if isinstance(a, DataValidationError)}
    return details, failed


def _prune_attachment_files(entities: list[ExternalEntity]) -> None:
    """Drop cached files of attachments no item has any more (never fails the sync: it is only a cache)."""
    current = {match.group("attachment") for entity in entities for attribute in entity.attributes
               if (match := ATTACHMENT_PATH.fullmatch(attribute.file_url))}
    try:
        deleted = attachments.prune(current)
    except OSError as exc:
        logger.warning("homebox: could not prune the attachment cache: %s", exc)
        return
    if deleted:
        logger.info("homebox: %d cached attachment files pruned", deleted)


class HomeBoxSynchronizer(IntegrationSynchronizer):
    def __init__(self, client_options: Mapping[str, Any] | None = None) -> None:
        self.client_options = dict(client_options or {})

    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        started = time.perf_counter()
        options = {"timeouts": configured_timeouts(), **self.client_options}
        with HomeBoxClient(settings_from(attributes), **options) as client:
            client.status()
            currency = client.group().currency
            paths = client.location_paths()
            summaries = client.items()
            keys = {s.id: (s.updated_at, paths.get(s.location_id) or ((s.location_name,) if s.location_name else ()),
                           currency) for s in summaries}
            with _converted_lock:
                known = {i: _converted[i][1] for i, key in keys.items() if i in _converted and _converted[i][0] == key}
            unknown = [s for s in summaries if s.id not in known]
            cache = _cache([s.id for s in unknown])
            details: dict[str, ItemDetail] = {}
            stale: list[str] = []
            for summary in unknown:
                cached = cached_detail(cache.get(summary.id))
                if cached is not None and cached.updated_at == summary.updated_at and summary.updated_at:
                    details[summary.id] = cached
                else:
                    stale.append(summary.id)
            fetched, failed = fetch_details(client, stale)
            details.update(fetched)
            requests = client.requests
        for item_id, reason in failed.items():
            logger.warning("homebox: item %s skipped: %s", item_id, reason)
        entities = []
        for summary in summaries:
            entity = known.get(summary.id)
            if entity is None and summary.id in failed:
                continue  # left as it is: the inventory is marked incomplete, so nothing is detached for it
            if entity is None:
                key = keys[summary.id]
                entity = to_entity(details[summary.id], key[1], currency)
                with _converted_lock:
                    _converted[summary.id] = (key, entity)
            entities.append(entity)
        with _converted_lock:
            for gone in set(_converted) - set(keys):
                del _converted[gone]
        if not failed:
            _prune_attachment_files(entities)
        days = warranty_days(attributes)
        today = dt.date.today()
        entities.append(warranty_entity(count_ending(entities, today.isoformat(),
                                                     (today + dt.timedelta(days=days)).isoformat()), days))
        with _last_lock:
            _last.update({"items": len(summaries), "details_fetched": len(stale), "skipped": sorted(failed)[:20],
                          "requests": requests,
                          "seconds": round(time.perf_counter() - started, 3), "finished_at": time.time()})
        logger.info("homebox: %d items, %d re-read, %d requests", len(summaries), len(stale), requests)
        return Inventory(integration_id=INTEGRATION_ID, entities=tuple(entities), complete=not failed)
