"""Text from outside: NUL removed once where it enters, control characters kept off terminals.

PostgreSQL's text and jsonb refuse U+0000, so one NUL in a Home Assistant friendly name failed a whole
sync ("PostgreSQL text fields cannot contain NUL"), and one in a live value dropped its batch. SQLite
stores it, so the same hub behaved differently per database. :func:`clean_external` removes NUL from
strings (deeply, keys included) and logs where; the inventory and sensor-response types call it as they
are built, which is the one place every integration's data passes.

:func:`printable` is for people's terminals: a name carrying ``\\x1b]0;…\\a`` would retitle the window
or recolour the table, so CLI tables show control characters as ``?``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

logger = logging.getLogger("hi.utils.text")

NUL = "\x00"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 (but tab and newline), DEL, C1
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_logged: set[str] = set()
_LOG_LIMIT = 1000  # distinct places reported; a peer sending NUL in every reading does not flood the log


def _report(where: str) -> None:
    if where in _logged or len(_logged) >= _LOG_LIMIT:
        return
    _logged.add(where)
    logger.warning("removed NUL characters from %s (the database cannot store them)", where or "external text")


def clean_external(value: Any, where: str = "") -> Any:
    """``value`` with every NUL removed from its strings (dict keys, lists, tuples too); others as they are."""
    if isinstance(value, str):
        if NUL not in value:
            return value
        _report(where)
        return value.replace(NUL, "")
    if isinstance(value, dict):
        if not value:
            return value
        return {clean_external(k, where): clean_external(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_external(v, where) for v in value]
    if isinstance(value, tuple):
        return tuple(clean_external(v, where) for v in value)
    return value


def clean_fields(instance: Any, names: tuple[str, ...], where: str) -> None:
    """Clean the named fields of a (frozen) dataclass instance in place, as it is constructed."""
    for name in names:
        current = getattr(instance, name)
        cleaned = clean_external(current, where)
        if cleaned is not current:
            object.__setattr__(instance, name, cleaned)


def printable(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control characters (escape sequences' ESC, BEL, CR…) shown as ``?``."""
    pattern = _CONTROL if keep_newlines else _CONTROL_ALL
    return pattern.sub("?", text)
