"""How soon the Home Assistant live link gives up on a stalled server: with short configured timeouts
(``HI_HTTP_CONNECT_TIMEOUT`` 0.2 s, ``HI_HTTP_READ_TIMEOUT`` 0.3 s, through ``link_waits``) and with none
given (the shared client's fixed 10 s, what the link used before it honoured the settings).

Two stalls of the simulator: it holds the greeting (``stall``: the socket opens, ``auth_required`` never
comes) and it holds the HTTP upgrade (the fault injector's ``stall`` on ``/api/websocket``).

    python bench/hass_stall.py
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from hi.integrations.client import RetryPolicy, Timeouts, WsState
from hi.services.hass.client import HassWebSocket
from hi.simulator.hass import HassSimulator


async def _ignore(_: Any) -> None:
    return None


async def first_failure(sim: HassSimulator, timeouts: Timeouts | None, hold_upgrade: bool) -> tuple[float, str]:
    """Seconds from starting the link to its first failure, and the reason it gives."""
    failed = asyncio.Event()

    def on_state(state: WsState, detail: str) -> None:
        if state == WsState.BACKOFF:
            failed.set()

    if hold_upgrade:
        sim.faults.set("stall", seconds=15, count=1, paths=["/api/websocket"])
    else:
        sim.stall()
    link = HassWebSocket(sim.url, sim.token, on_change=_ignore, on_snapshot=_ignore, on_state_change=on_state,
                         timeouts=timeouts, backoff=RetryPolicy(base_delay=30, max_delay=30))
    started = time.monotonic()
    await link.start()
    await failed.wait()
    took, reason = time.monotonic() - started, link.last_error
    sim.release_stall()
    await link.stop()
    return took, reason


async def main() -> None:
    logging.disable(logging.WARNING)  # the failures are the point; their log lines are noise here
    sim = HassSimulator(activity=False)
    await sim.start()
    try:
        for label, timeouts in (("connect 0.2 s, read 0.3 s", Timeouts(connect=0.2, read=0.3)),
                                ("none given (fixed 10 s)", None)):
            for hold_upgrade in (False, True):
                took, reason = await first_failure(sim, timeouts, hold_upgrade)
                held = "upgrade held" if hold_upgrade else "greeting held"
                print(f"{label:26s} {held:14s} gave up after {took:5.2f} s: {reason}")
    finally:
        await sim.stop()


if __name__ == "__main__":
    asyncio.run(main())
