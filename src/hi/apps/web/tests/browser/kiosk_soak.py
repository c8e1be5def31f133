"""A kiosk soak: the toy system's motion sensor and light change again and again while a plan's kiosk view is
open; every so often the page's garbage is collected and its JS heap measured through the Chrome DevTools
Protocol. Used by the browser test (a short, fast soak) and by ``bench/kiosk_heap.py`` (ten real minutes)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from hi.apps.places import operations, plans
from hi.apps.places.tests.svgs import floor_svg


@dataclass
class Sample:
    seconds: float
    heap_bytes: int
    changes_sent: int
    updates_seen: int


@dataclass
class SoakResult:
    samples: list[Sample] = field(default_factory=list)

    @property
    def growth_bytes(self) -> int:
        """Heap after the soak minus heap after the warm-up (both right after a full garbage collection)."""
        return self.samples[-1].heap_bytes - self.samples[0].heap_bytes


def kiosk_plan(entities: dict[str, int]) -> int:
    """A floor with the toy's motion sensor as an area and its lights as icons; returns the place id."""
    floor = operations.create_location("Kiosk floor")["id"]
    plans.save_plan(floor, floor_svg(800, 500), fade_seconds=30)
    plans.set_placements(floor, [
        {"entity_id": entities["porch"], "shape": "area", "points": [[420, 260], [780, 260], [780, 480], [420, 480]]},
        {"entity_id": entities["kitchen"], "x": 150, "y": 150},
        {"entity_id": entities["hall"], "x": 600, "y": 150},
    ])
    return floor


def heap_used(cdp: Any) -> int:
    cdp.send("HeapProfiler.collectGarbage")
    return int(cdp.send("Runtime.getHeapUsage")["usedSize"])


def soak(page: Any, simulator: Any, seconds: float, interval: float, sample_every: float,
         min_changes: int = 0) -> SoakResult:
    """Flip the porch motion and the kitchen light every ``interval`` seconds for ``seconds`` (and at least
    ``min_changes`` times, however slow a loaded machine makes each step); sample the heap, last at the end."""
    cdp = page.context.new_cdp_session(page)
    page.evaluate("window.__hiUpdates = 0; document.body.addEventListener('hi:state', () => window.__hiUpdates++)")
    result, sent, started = SoakResult(), 0, time.monotonic()
    next_sample = started
    while True:
        now = time.monotonic()
        if now >= next_sample:
            result.samples.append(Sample(now - started, heap_used(cdp), sent, page.evaluate("window.__hiUpdates")))
            next_sample += sample_every
        if now - started >= seconds and sent >= min_changes:
            if result.samples[-1].changes_sent < sent:
                result.samples.append(Sample(now - started, heap_used(cdp), sent, page.evaluate("window.__hiUpdates")))
            break
        simulator.set_value("porch", "active" if sent % 2 == 0 else "idle")
        simulator.set_value("kitchen", "on" if sent % 4 < 2 else "off")
        sent += 1
        page.wait_for_timeout(interval * 1000)  # the page keeps running its own timers meanwhile
    cdp.detach()
    return result
