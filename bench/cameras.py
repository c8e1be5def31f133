"""Cameras: the hub's cost per live stream over time, and thumbnails for a long timeline from the disk cache.

The hub runs as ``hi run`` in a process of its own (so its CPU and memory are measured alone) against a
simulated ZoneMinder with 16 cameras in this process. Two figures:

1. Live streams: a wall's worth (one per camera) relayed for ``--seconds`` (default 300, the issue's
   five minutes; use e.g. ``--seconds 30`` for a quick look). Prints the hub's CPU per stream and its
   resident memory sampled over the run (flat means no growth per frame or per minute).
2. Thumbnails: 1,000 recorded events' thumbnails, first from ZoneMinder (cold, then cached on disk),
   then again from the cache, one request at a time and six at a time (a browser's connections).

    .venv/bin/python bench/cameras.py [--seconds 300] [--cameras 16] [--events 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from _support import setup_django

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = 4096


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE / 1e6


def prepare(sim, events: int) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """Configure and sync ZoneMinder, record ``events`` finished events (in the simulator and the hub)."""
    from hi.apps.api.models import ApiToken
    from hi.apps.entity.models import EntityState
    from hi.apps.event.models import Event
    from hi.integrations import lifecycle
    from hi.integrations.sync.engine import run_sync

    lifecycle.configure("zoneminder", sim.integration_attributes(), test=True)
    run_sync("zoneminder")
    lifecycle.enable("zoneminder")
    states = {s.entity.integration_name: s for s in EntityState.objects.filter(
        entity__integration_id="zoneminder", state_key="movement").select_related("entity")}
    now = sim.state.now()
    rows, paths = [], []
    for n in range(events):
        monitor = n % len(states) + 1
        start = now - dt.timedelta(seconds=20 * (events - n) + 60)
        end = start + dt.timedelta(seconds=8)
        zm_id = sim.state.add_event(monitor, start, end, score=30 + n % 60)
        state = states[f"monitor.{monitor}"]
        rows.append(Event(entity=state.entity, entity_state=state, value="active", start=start, end=end,
                          duration_seconds=8.0, correlation_id=str(zm_id),
                          details={"event_id": zm_id, "monitor_id": monitor, "frames": 40, "length": 8.0}))
        paths.append(f"/zoneminder/monitors/{monitor}/events/{zm_id}/thumbnail.jpg")
    Event.objects.bulk_create(rows, batch_size=500)
    _, token = ApiToken.issue("bench")
    return token, paths


def start_hub(data_dir: Path, cameras: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "HI_CAMERA_STREAMS_TOTAL": str(cameras), "HI_CAMERA_STREAMS_PER_CAMERA": "1",
           "HI_LOG_LEVEL": "WARNING"}
    hub = subprocess.Popen([str(ROOT / ".venv" / "bin" / "hi"), "run", "--port", str(port)], env=env,
                           stdout=subprocess.DEVNULL, stderr=open(data_dir / "hub.log", "wb"))  # noqa: SIM115 - the hub outlives this call
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/login/", timeout=2)
            return hub, url
        except httpx.HTTPError:
            time.sleep(0.2)
    hub.kill()
    raise SystemExit(f"the hub did not start; see {data_dir / 'hub.log'}")


def thumbnails(url: str, token: str, paths: list[str]) -> None:
    headers = {"Authorization": f"Bearer {token}"}

    def timed(client: httpx.Client, path: str) -> float:
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or response.headers["content-type"] != "image/jpeg":
            raise SystemExit(f"{path}: {response.status_code} {response.headers.get('content-type')}")
        return elapsed

    def report(name: str, times: list[float], began: float) -> None:
        ordered = sorted(times)
        rate = len(ordered) / (time.perf_counter() - began)
        print(f"  {name:<38} p50 {statistics.median(ordered):6.1f} ms  p95 {ordered[int(len(ordered) * .95) - 1]:6.1f} ms"
              f"  max {ordered[-1]:6.1f} ms  {rate:5.0f}/s  ({len(ordered)} thumbnails)")

    with httpx.Client(base_url=url, timeout=30) as client:
        began = time.perf_counter()
        report("cold (from ZoneMinder, then cached)", [timed(client, p) for p in paths], began)
        began = time.perf_counter()
        sequential = [timed(client, p) for p in paths]
        report("cached, one at a time", sequential, began)
    clients = [httpx.Client(base_url=url, timeout=30) for _ in range(6)]
    began = time.perf_counter()
    with ThreadPoolExecutor(6) as pool:
        cached = list(pool.map(lambda pair: timed(clients[pair[0] % 6], pair[1]), enumerate(paths)))
    report("cached, six at a time", cached, began)
    for client in clients:
        client.close()
    print(f"  from the cache one at a time, over 50 ms: {sum(t > 50 for t in sequential)} of {len(sequential)}")
    print(f"  from the cache six at a time (queued behind each other), over 50 ms: "
          f"{sum(t > 50 for t in cached)} of {len(cached)}")


async def watch_streams(url: str, token: str, cameras: int, seconds: float, pid: int) -> None:
    frames = [0] * cameras
    stop = asyncio.Event()

    async def reader(client: httpx.AsyncClient, monitor: int) -> None:
        async with client.stream("GET", f"/zoneminder/monitors/{monitor}/stream",
                                 headers={"Authorization": f"Bearer {token}"}) as response:
            if response.status_code != 200:
                raise SystemExit(f"stream {monitor}: {response.status_code} {await response.aread()!r}")
            async for chunk in response.aiter_raw():
                frames[monitor - 1] += chunk.count(b"--ZoneMinderFrame")
                if stop.is_set():
                    return

    idle_cpu, idle_start = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(5)
    idle = (cpu_seconds(pid) - idle_cpu) / (time.monotonic() - idle_start)
    async with httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(30, read=60)) as client:
        tasks = [asyncio.create_task(reader(client, m)) for m in range(1, cameras + 1)]
        await asyncio.sleep(2)  # all streams open and flowing
        interval = max(1.0, seconds / 10)
        start_cpu, start_time = cpu_seconds(pid), time.monotonic()
        samples = [(0.0, rss_mb(pid), sum(frames))]
        previous_cpu, previous_time = start_cpu, start_time
        print(f"  hub idle before: {idle * 100:.1f} % CPU, {samples[0][1]:.1f} MB resident")
        print(f"  {'t (s)':>6} {'CPU %':>7} {'per stream %':>13} {'RSS MB':>8} {'frames/s':>9}")
        while time.monotonic() - start_time < seconds:
            await asyncio.sleep(interval)
            now, used = time.monotonic(), cpu_seconds(pid)
            share = (used - previous_cpu) / (now - previous_time)
            samples.append((now - start_time, rss_mb(pid), sum(frames)))
            rate = (samples[-1][2] - samples[-2][2]) / (now - previous_time)
            print(f"  {now - start_time:6.0f} {share * 100:7.1f} {(share - idle) * 100 / cameras:13.2f}"
                  f" {samples[-1][1]:8.1f} {rate:9.1f}")
            previous_cpu, previous_time = used, now
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    total = (previous_cpu - start_cpu) / (previous_time - start_time)
    rss = [s[1] for s in samples]
    half = len(rss) // 2
    print(f"  {cameras} streams for {previous_time - start_time:.0f} s: hub {total * 100:.1f} % CPU in all, "
          f"{(total - idle) * 100 / cameras:.2f} % per stream above idle; "
          f"{samples[-1][2] / (previous_time - start_time):.0f} frames/s relayed")
    print(f"  resident memory: first {rss[0]:.1f} MB, max {max(rss):.1f} MB, last {rss[-1]:.1f} MB; "
          f"mean of the second half minus the first: {statistics.mean(rss[half:]) - statistics.mean(rss[:half]):+.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="how long to relay the live streams")
    parser.add_argument("--cameras", type=int, default=16)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hi-bench-cameras-") as folder:
        data_dir = Path(folder)
        setup_django(data_dir)
        from hi.simulator.zoneminder import ZoneMinderSimulator

        sim = ZoneMinderSimulator(motion=False, seed_history=False, monitor_count=args.cameras)
        with sim.running_in_thread():
            token, paths = prepare(sim, args.events)
            hub, url = start_hub(data_dir, args.cameras)
            try:
                print(f"thumbnails of {len(paths)} recorded events through the hub (bearer token, keep-alive):")
                thumbnails(url, token, paths)
                print(f"{args.cameras} cameras live through the hub ({args.seconds:.0f} s):")
                asyncio.run(watch_streams(url, token, args.cameras, args.seconds, hub.pid))
                print(f"  upstream streams still open at the simulator after the readers left: "
                      f"{sim.media.wait_open_streams(lambda n: n == 0, timeout=30)}")
            finally:
                hub.terminate()
                hub.wait(20)


if __name__ == "__main__":
    sys.exit(main())
