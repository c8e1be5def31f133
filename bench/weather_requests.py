"""Weather request budget over a simulated day: requests per source against each declared limit.

A day of one-minute polls runs on an injected clock against the weather simulator on 127.0.0.1,
with the real database store (SQLite), a restart every ``--restart-minutes`` (only the database
carries over), NWS answering 503 for two hours and Open-Meteo 429 for half an hour. It prints the
requests each source received, the worst count in any sliding window of each declared limit, and
what polling without the cache would have cost.

    python bench/weather_requests.py [--hours 24] [--restart-minutes 180]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from _support import setup_django


def worst_window(times: list[dt.datetime], seconds: float) -> int:
    ordered, worst, start = sorted(times), 0, 0
    for end, moment in enumerate(ordered):
        while (moment - ordered[start]).total_seconds() >= seconds:
            start += 1
        worst = max(worst, end - start + 1)
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--restart-minutes", type=int, default=180)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        from hi.services.weather.db_store import DatabaseStore
        from hi.services.weather.service import WeatherService
        from hi.services.weather.sources import available_sources
        from hi.services.weather.transport import WEATHER_RETRY, ClientTransport
        from hi.simulator.weather import WeatherSimulator

        now = [dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC)]
        sim = WeatherSimulator(profile="quiet", clock=lambda: now[0])
        retry = dataclasses.replace(WEATHER_RETRY, base_delay=0.001, max_delay=0.002)

        def build() -> WeatherService:
            store = DatabaseStore()
            urls = {name: sim.base_url(name) for name in available_sources()}
            return WeatherService.configure(list(available_sources()), 41.8781, -87.6298, urls, store,
                                            contact="bench@example.invalid", clock=lambda: now[0],
                                            transport_factory=lambda spec: ClientTransport(spec, store, lambda: now[0],
                                                                                           retry=retry))

        polls, restarts, serving = args.hours * 60, 0, Counter()
        started = time.perf_counter()
        with sim.running_in_thread():
            service = build()
            for minute in range(polls):
                if minute and minute % args.restart_minutes == 0:
                    service.close()
                    service, restarts = build(), restarts + 1
                if minute == 6 * 60:
                    sim.fail("nws", 503, seconds=2 * 3600)
                if minute == 12 * 60:
                    sim.openmeteo_per_minute = 0
                if minute == 12 * 60 + 30:
                    sim.openmeteo_per_minute = 600
                serving[service.refresh().serving or "nobody"] += 1
                now[0] += dt.timedelta(minutes=1)
            service.close()
        elapsed = time.perf_counter() - started

        times: dict[str, list[dt.datetime]] = defaultdict(list)
        for source, moment in sim.request_times:
            times[source].append(moment)
        kinds = Counter(path.split("?")[0].rsplit("/", 2)[-2 if path.endswith("/latest") else -1]
                        for _, path in sim.request_log if path.startswith("/nws/"))
        print(f"simulated {args.hours} h of 1-minute polls ({polls} polls, {restarts} restarts) in {elapsed:.1f} s")
        print(f"serving (polls): {dict(serving)}")
        violations = 0
        for name, source in available_sources().items():
            total = len(times[name])
            print(f"{name:15} {total:5d} requests/day")
            for limit in source.spec.rate_limits:
                worst = worst_window(times[name], limit.per_seconds)
                ok = worst <= limit.max_requests
                violations += not ok
                print(f"{'':15} worst {worst:3d} in any {limit.per_seconds:g} s window; limit {limit.max_requests}"
                      f" -> {'OK' if ok else 'EXCEEDED'}")
        print(f"nws requests by endpoint: {dict(kinds)}")
        print(f"without the cache: {polls * 6} nws, {polls} openmeteo, {polls} sunrise_sunset requests")
        return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
