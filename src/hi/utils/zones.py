"""Time zone names without Django: validation and the machine's own zone (settings import this)."""

from __future__ import annotations

import contextlib
import os
import zoneinfo
from functools import cache
from pathlib import Path


def is_valid(name: str) -> bool:
    """A zone name the tz database knows ('America/Chicago', 'UTC'); anything else is refused."""
    if not name or name != name.strip() or name.startswith("/") or ".." in name:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def available_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def system_zone_name() -> str:
    """The machine's zone: ``TZ``, else the /etc/localtime link, else /etc/timezone, else UTC."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    localtime = Path("/etc/localtime")
    try:
        if localtime.is_symlink():
            target = str(localtime.resolve())
            if "zoneinfo/" in target:
                candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text().strip())
    for name in candidates:
        if is_valid(name):
            return name
    return "UTC"
