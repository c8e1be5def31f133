"""Soak: the hub's Home Assistant monitor on a steady trickle of changes — CPU % of one core and RSS growth.

The demo simulator runs in its own process (with its simulated activity) and a driver changes
``sensor.house_power`` ``--rate`` times a second; the monitor and the pipeline run here. CPU is this
process's user+system time over wall time; RSS is sampled after a warm-up and at the end, and its
growth is given per hour (a flat line is the goal; short runs overstate noise).

    python bench/soak.py [--seconds 120] [--rate 5]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hass_import import synced_demo_home


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def soak(url: str, seconds: float, rate: float, warmup: float) -> tuple[float, float, float, int]:
    import httpx

    from hi.apps.monitor.context import WorkerContext
    from hi.services.hass.monitors import HassMonitor
    from hi.simulator.hass import DEFAULT_TOKEN

    monitor = HassMonitor()
    context = WorkerContext("hass", {"base_url": url, "api_token": DEFAULT_TOKEN, "import_allowlist": ""})
    task = asyncio.create_task(monitor.run(context))
    sent = 0
    async with httpx.AsyncClient(base_url=url) as sim:
        started = time.monotonic()
        rss_start = cpu_start = wall_start = None
        while (elapsed := time.monotonic() - started) < seconds + warmup:
            if rss_start is None and elapsed >= warmup:
                rss_start, cpu_start, wall_start = rss_mb(), cpu_seconds(), time.monotonic()
            await sim.post("/_sim/hass/states/sensor.house_power", json={"state": f"{sent % 5000}.5"})
            sent += 1
            await asyncio.sleep(1 / rate)
    assert rss_start is not None and cpu_start is not None and wall_start is not None
    wall = time.monotonic() - wall_start
    cpu_percent = 100 * (cpu_seconds() - cpu_start) / wall
    rss_end = rss_mb()
    context.stop_event.set()
    async with asyncio.timeout(15):
        await task
    return cpu_percent, rss_start, rss_end, sent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--warmup", type=float, default=15.0)
    args = parser.parse_args()
    with synced_demo_home("hi-bench-soak-") as url:
        logging.getLogger("httpx").setLevel(logging.ERROR)
        cpu, rss_start, rss_end, sent = asyncio.run(soak(url, args.seconds, args.rate, args.warmup))
    growth = (rss_end - rss_start) * 3600 / args.seconds
    print(f"soak {args.seconds:g} s at {args.rate:g} changes/s ({sent} changes): CPU {cpu:.1f} % of a core, "
          f"RSS {rss_start:.0f} -> {rss_end:.0f} MB ({growth:+.0f} MB/hour extrapolated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
