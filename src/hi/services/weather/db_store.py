"""The database-backed RequestStore: cached answers and request times survive restarts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from .models import CachedResponse, SourceRequestLog
from .sources.base import RateLimit
from .store import CachedPayload, admit

FORGET_AFTER = dt.timedelta(days=7)


class DatabaseStore:
    """RequestStore on ``CachedResponse`` and ``SourceRequestLog``; ``try_acquire`` is one locked transaction."""

    def load(self, source: str, key: str) -> CachedPayload | None:
        row = CachedResponse.objects.filter(source=source, key=key[:512]).only("payload", "fetched_at").first()
        return None if row is None else CachedPayload(row.payload, row.fetched_at)

    def save(self, source: str, key: str, payload: Any, fetched_at: dt.datetime) -> None:
        """Keep the answer; drop this source's answers nobody asked again for a week (old dates, old places)."""
        CachedResponse.objects.update_or_create(source=source, key=key[:512],
                                                defaults={"payload": payload, "fetched_at": fetched_at})
        CachedResponse.objects.filter(source=source, fetched_at__lt=fetched_at - FORGET_AFTER).delete()

    def try_acquire(self, source: str, limits: Sequence[RateLimit], now: dt.datetime) -> bool:
        with transaction.atomic():
            log, _ = SourceRequestLog.objects.select_for_update().get_or_create(source=source)
            admitted = admit(list(log.stamps), limits, now.timestamp())
            if admitted is None:
                return False
            log.stamps = admitted
            log.total += 1
            log.save(update_fields=["stamps", "total"])
            return True
