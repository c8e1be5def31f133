"""Keeping background work (pruning, vacuuming, backups) to a share of the machine, so ingest keeps its pace.

A fixed pause between steps is not enough: on a loaded box a step takes longer, and a task that
sleeps 50 ms after a 200 ms step still takes 80 % of the time. The pacer instead waits in proportion
to how long the step took.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class Pacer:
    """Waits after each write so the caller holds the write lock at most ``duty`` of the wall time.

    A fixed pause is not enough: on a loaded machine a batch takes longer, and a pruner that sleeps
    50 ms after a 200 ms delete still owns the lock 80 % of the time. ``duty`` of 1 means only ``pause``.
    """

    def __init__(self, pause: float, duty: float, should_stop: Callable[[], bool] = lambda: False) -> None:
        self.pause = max(0.0, pause)
        self.duty = min(1.0, max(0.01, duty))
        self.should_stop = should_stop

    def after(self, busy: float) -> None:
        wait = max(self.pause, busy * (1 - self.duty) / self.duty)
        deadline = time.monotonic() + wait
        while wait > 0 and not self.should_stop():  # stop promptly even during a long wait
            time.sleep(min(wait, 0.1))
            wait = deadline - time.monotonic()


class PacedReader:
    """A file wrapper whose reads keep the consumer (hashing, archiving) to the pacer's share of the time.

    The time between two reads is the consumer's work plus the read; after each ~20 ms of it, the
    pacer waits its share.
    """

    def __init__(self, handle: Any, pacer: Pacer, slice_s: float = 0.02) -> None:
        self.handle, self.pacer, self.slice_s = handle, pacer, slice_s
        self.resumed = time.monotonic()

    def read(self, size: int = -1) -> bytes:
        worked = time.monotonic() - self.resumed
        if worked >= self.slice_s:
            self.pacer.after(worked)
            self.resumed = time.monotonic()
        return self.handle.read(size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)
