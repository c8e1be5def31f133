"""Read and write household settings with a short in-process cache.

Every page reads the time zone, so a read must not cost a query each time; a write clears this
process's cache at once, and other processes (a separate worker, more web workers) see it within
``CACHE_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError

from .models import HouseholdSetting

CACHE_SECONDS = 5.0  # HI_HOUSEHOLD_CACHE_SECONDS overrides it (tests use 0: each test has its own database)
_lock = threading.Lock()
_cache: dict[str, Any] = {}
_loaded_at = 0.0


def _load() -> dict[str, Any]:
    global _cache, _loaded_at
    with _lock:
        if time.monotonic() - _loaded_at < getattr(settings, "HI_HOUSEHOLD_CACHE_SECONDS", CACHE_SECONDS):
            return _cache
    try:
        values = dict(HouseholdSetting.objects.values_list("key", "value"))
    except DatabaseError:  # a database not migrated yet has no settings: defaults apply
        values = {}
    with _lock:
        _cache, _loaded_at = values, time.monotonic()
    return values


def get(key: str, default: Any = None) -> Any:
    """The stored value of ``key``, or ``default`` when none is stored."""
    value = _load().get(key)
    return default if value is None else value


def put(key: str, value: Any, updated_by: str = "") -> None:
    """Store ``value`` (``None`` removes the setting, so its default applies again)."""
    if value is None:
        HouseholdSetting.objects.filter(key=key).delete()
    else:
        HouseholdSetting.objects.update_or_create(key=key, defaults={"value": value, "updated_by": updated_by})
    clear_cache()


def clear_cache() -> None:
    global _loaded_at
    with _lock:
        _loaded_at = 0.0
