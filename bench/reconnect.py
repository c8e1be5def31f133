"""Reconnect time after Home Assistant comes back: p50/max over 20 restarts of the simulator (target ≤ 2 s),
and whether a change made the moment it answers again is recorded.

The simulator runs in its own process and is stopped (SIGKILL: sockets die without a close frame)
and started again on the same port after ``--downtime`` seconds, long enough for the monitor's
reconnect delay to reach its cap. The monitor runs here with its default settings. Reconnect time
is from the new process accepting connections to the monitor being subscribed and resynced.

    python bench/reconnect.py [--restarts 20] [--downtime 4]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import SRC, setup_django
from hass_import import configure


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(port: int) -> subprocess.Popen[str]:
    """The simulator on ``port``; returns once it accepts connections (it prints its URL then)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.Popen([sys.executable, "-m", "hi.simulator.hass", "--port", str(port), "--quiet"],
                               stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    if not process.stdout.readline().startswith("http"):
        process.kill()
        raise SystemExit("the Home Assistant simulator did not start")
    return process


async def until(check, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        await asyncio.sleep(0.01)


async def measure(port: int, restarts: int, downtime: float) -> tuple[list[float], int]:
    import httpx
    from asgiref.sync import sync_to_async

    from hi.apps.entity.models import EntityState
    from hi.apps.monitor.context import WorkerContext
    from hi.services.hass.monitors import HassMonitor
    from hi.simulator.hass import DEFAULT_TOKEN

    url = f"http://127.0.0.1:{port}"
    monitor = HassMonitor()
    context = WorkerContext("hass", {"base_url": url, "api_token": DEFAULT_TOKEN, "import_allowlist": ""})
    process = start(port)
    task = asyncio.create_task(monitor.run(context))
    times: list[float] = []
    recorded = 0
    try:
        await until(lambda: monitor.snapshots >= 1 and monitor.mode == "websocket")
        for index in range(restarts):
            process.kill()
            process.wait()
            await asyncio.sleep(downtime)  # the outage: nothing to wait for but time
            before = monitor.snapshots
            process = await asyncio.to_thread(start, port)
            back = time.perf_counter()
            value = f"{1000 + index}.5"
            async with httpx.AsyncClient(base_url=url) as sim:  # a change the moment HA answers again
                await sim.post("/_sim/hass/states/sensor.house_power", json={"state": value})
            await until(lambda before=before: monitor.snapshots > before and monitor._synced)
            times.append(time.perf_counter() - back)
            stored = await sync_to_async(lambda: EntityState.objects.get(state_key="sensor.house_power").value)()
            for _ in range(200):
                if stored == float(value):
                    break
                await asyncio.sleep(0.01)
                stored = await sync_to_async(
                    lambda: EntityState.objects.get(state_key="sensor.house_power").value)()
            recorded += stored == float(value)
    finally:
        context.stop_event.set()
        async with asyncio.timeout(15):
            await task
        process.kill()
        process.wait()
    return times, recorded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--restarts", type=int, default=20)
    parser.add_argument("--downtime", type=float, default=4.0)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-reconnect-"))
    port = free_port()
    try:
        setup_django(data_dir)
        from hi.integrations.sync.engine import run_sync

        sim = start(port)
        configure(f"http://127.0.0.1:{port}")
        run_sync("hass")
        sim.kill()
        sim.wait()
        for noisy in ("hi.integrations.client.websocket", "hi.services.hass.monitor", "hi.monitor.hass", "httpx",
                      "hi.integrations.health"):
            logging.getLogger(noisy).setLevel(logging.ERROR)  # the outages are the point
        times, recorded = asyncio.run(measure(port, args.restarts, args.downtime))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    p50, worst = statistics.median(times), max(times)
    verdict = "OK" if worst <= 2.0 else "MISSED"
    print(f"reconnect after Home Assistant returns ({len(times)} restarts, {args.downtime:g} s down): "
          f"p50 {p50:.2f} s  max {worst:.2f} s  (target <= 2 s) {verdict}")
    print(f"a change made the moment it answered was recorded: {recorded}/{len(times)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
