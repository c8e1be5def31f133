"""Reading rows by ascending id when ids can become visible late: one helper for every such reader.

A database hands out ids when a row is inserted but the row becomes visible when its transaction
commits, so a reader that saw id 12 may see id 11 later (PostgreSQL sequences, MariaDB auto-increment
with concurrent writers). A plain ``id > last`` cursor would skip 11 forever. ``LateIds`` remembers
each id the cursor jumped over (``awaited``, with when it was first missed) until a read returns it,
or until it is given up: more than ``max_window`` ids below the newest, or missed for longer than
``patience`` (a rolled-back or deleted row never appears). Read ``id > low_water`` (or ``id > last_id``
plus the awaited ids) and hand every read to ``observe``.

Times are whatever the caller measures in, as long as ``now - first_missed > patience`` compares:
monotonic seconds with a float patience, or datetimes with a timedelta (a persisted cursor).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LateIds:
    """Everything up to ``last_id`` was delivered except the ``awaited`` ids (id → when first missed)."""

    last_id: int
    max_window: int
    patience: Any
    awaited: dict[int, Any] = field(default_factory=dict)

    @property
    def low_water(self) -> int:
        """Read ids above this: just below the lowest awaited id, else the newest delivered."""
        return min(self.awaited, default=self.last_id + 1) - 1

    def is_pending(self, row_id: int) -> bool:
        """Not delivered yet: above the cursor, or an id it is still waiting for."""
        return row_id > self.last_id or row_id in self.awaited

    def observe(self, returned: Iterable[int], now: Any, newest: int | None = None) -> list[int]:
        """Take one read's ids (``newest``: the highest id the source reported, if beyond them); await
        the gaps below the new cursor and return the ids given up on, ascending."""
        seen = set(returned)
        last = max(self.last_id, newest if newest is not None else self.last_id, *seen)
        awaited = {row_id: when for row_id, when in self.awaited.items() if row_id not in seen}
        for skipped in range(max(self.last_id, last - self.max_window) + 1, last + 1):
            if skipped not in seen:
                awaited[skipped] = now
        given_up = sorted(row_id for row_id, when in awaited.items()
                          if row_id <= last - self.max_window or now - when > self.patience)
        for row_id in given_up:
            del awaited[row_id]
        self.last_id, self.awaited = last, awaited
        return given_up

    def restart_at(self, row_id: int) -> None:
        """Forget everything: deliver only ids above ``row_id`` from now on."""
        self.last_id, self.awaited = row_id, {}
