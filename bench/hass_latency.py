"""Home Assistant state change → our committed value: p50/p99 at 50 changes/s (target p50 ≤ 20 ms, p99 ≤ 100 ms).

The demo simulator runs in its own process; a driver thread changes ``sensor.house_power`` through
the simulator's control endpoint at a fixed rate, and the time from just before that request to the
pipeline's after-commit publication of the new value is the latency. Measured over the WebSocket,
then with the WebSocket refused so the monitor polls ``/api/states`` (values changed between two
polls are never committed themselves: their latency is the time until a newer value was, and they are
counted as "never committed").

    python bench/hass_latency.py [--rate 50] [--seconds 10] [--poll-interval 2]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hass_import import synced_demo_home

KEY = "hass:sensor.house_power"


class Clockwork:
    """Send times by value and commit times by value (the pipeline publishes after commit)."""

    def __init__(self) -> None:
        self.sent: dict[float, float] = {}
        self.committed: dict[float, float] = {}
        self.lock = threading.Lock()

    def install(self) -> None:
        from hi.apps.sense.live.bus import get_live_bus

        bus = get_live_bus()
        original = bus.publish

        def publish(changes):  # type: ignore[no-untyped-def]
            now = time.perf_counter()
            batch = list(changes)
            with self.lock:
                for change in batch:
                    if KEY in change.integration_keys and isinstance(change.value, int | float):
                        self.committed.setdefault(float(change.value), now)
            original(batch)

        bus.publish = publish  # type: ignore[method-assign]

    def latencies_ms(self) -> tuple[list[float], int]:
        """Per change: time until our value showed it or a newer one (values only grow); and how many never
        showed up as such (overwritten between two polls)."""
        with self.lock:
            commits = sorted(self.committed.items())
            sent = sorted(self.sent.items())
        latencies: list[float] = []
        index = 0
        for value, sent_at in sent:
            while index < len(commits) and commits[index][0] < value:
                index += 1
            if index < len(commits):
                latencies.append((commits[index][1] - sent_at) * 1000)
        missing = sum(1 for value, _ in sent if value not in self.committed)
        return sorted(latencies), missing


def drive(url: str, clock: Clockwork, rate: float, seconds: float, base: float) -> None:
    import httpx

    total = int(rate * seconds)
    with httpx.Client(base_url=url, timeout=5) as client:
        started = time.perf_counter()
        for index in range(total):
            due = started + index / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            value = base + index + 0.5
            with clock.lock:
                clock.sent[value] = time.perf_counter()
            client.post("/_sim/hass/states/sensor.house_power", json={"state": str(value)})


async def measure(url: str, mode: str, rate: float, seconds: float, poll_interval: float) -> None:
    import httpx

    from hi.apps.monitor.context import WorkerContext
    from hi.services.hass.monitors import HassMonitor
    from hi.simulator.hass import DEFAULT_TOKEN

    async with httpx.AsyncClient(base_url=url) as control:
        await control.post("/_sim/hass/websocket", json={"enabled": mode == "websocket"})
    clock = Clockwork()
    clock.install()
    monitor = HassMonitor(fallback_after=0.0 if mode == "polling" else 10.0, poll_interval=poll_interval)
    context = WorkerContext("hass", {"base_url": url, "api_token": DEFAULT_TOKEN, "import_allowlist": ""})
    task = asyncio.create_task(monitor.run(context))
    deadline = time.monotonic() + 20
    while (monitor.snapshots if mode == "websocket" else monitor.polls) < 1:
        if time.monotonic() > deadline:
            raise SystemExit(f"{mode}: the monitor did not start")
        await asyncio.sleep(0.05)
    base = 100000.0 if mode == "websocket" else 200000.0
    await asyncio.to_thread(drive, url, clock, rate, seconds, base)
    last = max(clock.sent)
    deadline = time.monotonic() + poll_interval + 5
    while last not in clock.committed and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    context.stop_event.set()
    async with asyncio.timeout(15):
        await task
    found, missing = clock.latencies_ms()
    if not found:
        print(f"  {mode:9}  no value committed")
        return
    p50 = statistics.median(found)
    p99 = found[min(len(found) - 1, int(len(found) * 0.99))]
    verdict = "OK" if p50 <= 20 and p99 <= 100 else "MISSED"
    note = f"  (target p50 <= 20 ms, p99 <= 100 ms) {verdict}" if mode == "websocket" else \
        f"  (poll every {poll_interval:g} s; for comparison)"
    print(f"  {mode:9}  p50 {p50:8.1f} ms  p99 {p99:8.1f} ms  max {found[-1]:8.1f} ms  "
          f"values never committed {missing}/{len(clock.sent)}{note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--poll-interval", type=float, default=2.0)
    args = parser.parse_args()
    with synced_demo_home("hi-bench-hass-latency-") as url:
        for noisy in ("hi.integrations.client.websocket", "hi.services.hass.monitor", "httpx"):
            logging.getLogger(noisy).setLevel(logging.ERROR)  # the refused WebSocket is the point of mode 2
        print(f"Home Assistant state change -> committed value, {args.rate:g} changes/s for {args.seconds:g} s")
        for mode in ("websocket", "polling"):
            asyncio.run(measure(url, mode, args.rate, args.seconds, args.poll_interval))
    return 0


if __name__ == "__main__":
    sys.exit(main())
