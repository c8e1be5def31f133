"""The thumbnail cache's size cap and lifetime come from Django settings (checked when settings load)."""

from __future__ import annotations

from hi.integrations import thumbnail_cache


def test_size_cap_and_lifetime_follow_the_settings(settings):
    settings.HI_THUMBNAIL_CACHE_MB, settings.HI_THUMBNAIL_CACHE_DAYS = 0.5, 2
    assert thumbnail_cache.size_limit() == 512 * 1024
    assert thumbnail_cache.closed_event_seconds() == 2 * 86400
