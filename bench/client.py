"""Client-layer speed: overhead per call versus bare httpx on loopback (target ≤ 0.3 ms), and time to
detect a dead WebSocket (target ≤ 2 x ping interval).

The overhead is measured against the generic simulator on 127.0.0.1: the same GET through a bare
``httpx.Client`` and through ``HttpClient`` (breaker, metrics, retry loop, size-capped read, JSON
validation), alternating rounds so server noise hits both alike; the figure is the difference of
medians. A dead link is simulated by a peer that keeps the TCP connection but stops answering pings.

    python bench/client.py [--calls 2000] [--rounds 5] [--ping-interval 0.5] [--probes 3]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import httpx

from hi.integrations.client import (
    AsyncHttpClient,
    HttpClient,
    RetryPolicy,
    WebSocketClient,
    parse,
)
from hi.simulator.generic import WS_PATH, GenericSimulator


def per_call_ms(fn: Any, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - started) / calls * 1000


async def aper_call_ms(fn: Any, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await fn()
    return (time.perf_counter() - started) / calls * 1000


def sync_rounds(bare: httpx.Client, layer: HttpClient, calls: int, rounds: int) -> tuple[list[float], list[float]]:
    """Per-call ms of each round, the same GET bare and through the layer, alternating after a warm-up."""
    def bare_call() -> None:
        response = bare.get("/items")
        response.raise_for_status()
        parse(dict, response.json())

    def layer_call() -> None:
        layer.get_json("/items", dict)

    for _ in range(50):
        bare_call()
        layer_call()
    bare_times, layer_times = [], []
    for _ in range(rounds):
        bare_times.append(per_call_ms(bare_call, calls))
        layer_times.append(per_call_ms(layer_call, calls))
    return bare_times, layer_times


def sync_overhead(url: str, calls: int, rounds: int) -> tuple[float, float]:
    with httpx.Client(base_url=url) as bare, HttpClient(url, integration_id="bench-sync") as layer:
        bare_times, layer_times = sync_rounds(bare, layer, calls, rounds)
    return statistics.median(bare_times), statistics.median(layer_times)


async def async_overhead(url: str, calls: int, rounds: int) -> tuple[float, float]:
    bare_times, layer_times = [], []
    async with httpx.AsyncClient(base_url=url) as bare, AsyncHttpClient(url, integration_id="bench-async") as layer:
        async def bare_call() -> None:
            response = await bare.get("/items")
            response.raise_for_status()
            parse(dict, response.json())

        async def layer_call() -> None:
            await layer.get_json("/items", dict)

        for _ in range(50):
            await bare_call()
            await layer_call()
        for _ in range(rounds):
            bare_times.append(await aper_call_ms(bare_call, calls))
            layer_times.append(await aper_call_ms(layer_call, calls))
    return statistics.median(bare_times), statistics.median(layer_times)


def transport_overhead(calls: int, rounds: int) -> tuple[float, float]:
    """Same comparison over an in-process transport: no network noise, only the layer's own work."""
    body = b'{"items": [{"Id": 1, "Name": "a"}]}'

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    with httpx.Client(base_url="http://sim", transport=httpx.MockTransport(answer)) as bare, \
            HttpClient("http://sim", integration_id="bench-mock", transport=httpx.MockTransport(answer)) as layer:
        bare_times, layer_times = sync_rounds(bare, layer, calls, rounds)
    return min(bare_times), min(layer_times)


async def dead_link_detection(interval: float, probes: int) -> list[float]:
    sim = GenericSimulator()
    await sim.start()
    times: list[float] = []

    async def authenticate(ws: WebSocketClient) -> None:
        await ws.recv_json()
        await ws.send_json({"type": "auth", "access_token": sim.ws_token})
        await ws.recv_json()

    async def ignore(message: Any) -> None:
        return None

    client = WebSocketClient(sim.url.replace("http://", "ws://") + WS_PATH, integration_id="bench-ws",
                             on_message=ignore, authenticate=authenticate,
                             ping=lambda ws: ws.send_command({"type": "ping"}), ping_interval=interval,
                             backoff=RetryPolicy(base_delay=0.01, max_delay=0.02))
    await client.start()
    try:
        for probe in range(probes):
            await client.wait_connected(10)
            await asyncio.sleep(interval * (probe + 1) / (probes + 1))  # go dead at varied ping phases
            sim.ignore_pings = True
            started = time.perf_counter()
            while client.dead_links <= probe:
                await asyncio.sleep(0.002)
            times.append(time.perf_counter() - started)
            sim.ignore_pings = False
    finally:
        await client.stop()
        await sim.stop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ping-interval", type=float, default=0.5)
    parser.add_argument("--probes", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    sim = GenericSimulator()
    with sim.running_in_thread():
        bare, layer = sync_overhead(sim.url, args.calls, args.rounds)
    print(f"sync  GET /items: bare httpx {bare:.3f} ms/call, HttpClient {layer:.3f} ms/call, "
          f"overhead {layer - bare:+.3f} ms (target ≤ 0.3)")

    async def run_async() -> tuple[float, float]:
        asim = GenericSimulator()
        await asim.start()
        try:
            return await async_overhead(asim.url, args.calls, args.rounds)
        finally:
            await asim.stop()

    mbare, mlayer = transport_overhead(args.calls, args.rounds)
    print(f"in-process transport: bare httpx {mbare:.3f} ms/call, HttpClient {mlayer:.3f} ms/call, "
          f"overhead {mlayer - mbare:+.3f} ms (the layer's own cost, no network noise)")

    abare, alayer = asyncio.run(run_async())
    print(f"async GET /items: bare httpx {abare:.3f} ms/call, AsyncHttpClient {alayer:.3f} ms/call, "
          f"overhead {alayer - abare:+.3f} ms (target ≤ 0.3)")

    times = asyncio.run(dead_link_detection(args.ping_interval, args.probes))
    worst = max(times)
    print(f"dead WebSocket detected in {', '.join(f'{t:.3f}' for t in times)} s with ping interval "
          f"{args.ping_interval} s: worst {worst / args.ping_interval:.2f} x interval (target ≤ 2)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
