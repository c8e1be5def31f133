"""Event thumbnails kept on disk, so a long timeline does not ask the camera server for every row every time.

Backed by ``diskcache`` (a maintained, SQLite-indexed file cache): it enforces the size cap by evicting
the least recently used entries, expires entries by time, and is safe across the web server's threads and
the worker process sharing one data directory. Writing our own would mean re-doing exactly that locking
and eviction. Values are checked picture bytes (``hi.integrations.media_proxy``) with their content type.

Django settings (from the environment, checked in ``hi.settings.base``): ``HI_THUMBNAIL_CACHE_MB`` (size
cap, default 256), ``HI_THUMBNAIL_CACHE_DAYS`` (how long a finished event's thumbnail is kept, default 30). A thumbnail of an event still recording is
kept only ``OPEN_EVENT_SECONDS``: it changes while the event grows.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

import diskcache
from django.conf import settings

from .media_proxy import Media

OPEN_EVENT_SECONDS = 10.0
_lock = threading.Lock()
_caches: dict[Path, diskcache.Cache] = {}
_inflight: dict[str, asyncio.Future[Media | None]] = {}


def cache_dir() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "thumbnails"


def size_limit() -> int:
    return int(float(settings.HI_THUMBNAIL_CACHE_MB) * 1024 * 1024)


def closed_event_seconds() -> float:
    return float(settings.HI_THUMBNAIL_CACHE_DAYS) * 86400


def get_cache() -> diskcache.Cache:
    """The process's cache for the current data dir (tests switch data dirs; each gets its own)."""
    directory = cache_dir()
    with _lock:
        cache = _caches.get(directory)
        if cache is None:
            directory.mkdir(parents=True, exist_ok=True)
            cache = diskcache.Cache(str(directory), size_limit=size_limit(), eviction_policy="least-recently-used",
                                    cull_limit=10, statistics=False)
            _caches[directory] = cache
        return cache


def read(key: str) -> Media | None:
    found = get_cache().get(key)
    if isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], bytes):
        return Media(found[0], str(found[1]))
    return None


def store(key: str, media: Media, seconds: float) -> None:
    get_cache().set(key, (media.content, media.content_type), expire=seconds)


async def cached(key: str, fetch: Callable[[], Awaitable[Media | None]], seconds: float) -> Media | None:
    """The cached thumbnail for ``key``, else ``fetch()`` it once (concurrent misses share one fetch)."""
    found = await asyncio.to_thread(read, key)
    if found is not None:
        return found
    pending = _inflight.get(key)
    if pending is not None and pending.get_loop() is asyncio.get_running_loop():
        return await asyncio.shield(pending)
    future: asyncio.Future[Media | None] = asyncio.get_running_loop().create_future()
    _inflight[key] = future
    try:
        media = await fetch()
        if media is not None:
            await asyncio.to_thread(store, key, media, seconds)
        future.set_result(media)
        return media
    except BaseException as exc:
        future.set_exception(exc)
        future.exception()  # retrieved: waiters re-raise it, nobody logs "never retrieved"
        raise
    finally:
        _inflight.pop(key, None)


def close_all() -> None:
    with _lock:
        for cache in _caches.values():
            cache.close()
        _caches.clear()
