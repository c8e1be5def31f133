"""Sensor-response ingest into SQLite: sustained responses/s and batch latency (target ≥ 5,000/s).

Builds a fresh SQLite database (a real file in WAL mode, in a temporary directory), creates
N entities with one sensor each, then pushes a mixed stream through the pipeline in batches:
repeats that dedupe, new numeric values, and on/off/motion transitions that open and close events.

    python bench/ingest.py [--entities 2000] [--responses 120000] [--batch 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _support import setup_django


def build(entities: int) -> list[tuple[str, str]]:
    """Create entities with one state + sensor each; return (sensor name, kind) pairs."""
    from django.db import transaction

    from hi.apps.entity.enums import EntityStateType as S
    from hi.apps.entity.enums import default_value_range
    from hi.apps.entity.models import Entity, EntityState
    from hi.apps.sense.models import Sensor

    kinds = [("temperature", S.TEMPERATURE, 20.0), ("switch", S.ON_OFF, "off"), ("motion", S.MOVEMENT, "idle")]
    names: list[tuple[str, str]] = []
    with transaction.atomic():
        rows = []
        for index in range(entities):
            kind, _, _ = kinds[index % len(kinds)]
            rows.append(Entity(name=f"{kind} {index}", integration_id="bench", integration_name=f"e{index}"))
        Entity.objects.bulk_create(rows, batch_size=500)
        states = []
        for index, entity in enumerate(rows):
            kind, state_type, value = kinds[index % len(kinds)]
            states.append(EntityState(entity=entity, state_key="main", name=kind, state_type=state_type,
                                      value=value, value_range=default_value_range(state_type)))
        EntityState.objects.bulk_create(states, batch_size=500)
        sensors = []
        for index, state in enumerate(states):
            kind = kinds[index % len(kinds)][0]
            sensors.append(Sensor(entity_state=state, name=f"s{index}", integration_id="bench",
                                  integration_name=f"s{index}", last_value=state.value))
            names.append((f"s{index}", kind))
        Sensor.objects.bulk_create(sensors, batch_size=500)
    return names


def stream(names: list[tuple[str, str]], total: int, seed: int = 7):
    """Mixed responses: ~40% repeats, numeric drift, and binary transitions (events)."""
    from hi.integrations.keys import IntegrationKey
    from hi.integrations.sensor_response import SensorResponse

    rng = random.Random(seed)
    current: dict[str, object] = {}
    start = dt.datetime.now(dt.UTC)
    for index in range(total):
        name, kind = names[rng.randrange(len(names))]
        previous = current.get(name)
        if previous is not None and rng.random() < 0.4:
            value = previous  # a repeat: must be dropped
        elif kind == "temperature":
            value = round(15 + rng.random() * 10, 1)
        elif kind == "switch":
            value = "on" if previous != "on" else "off"
        else:
            value = "active" if previous != "active" else "idle"
        current[name] = value
        yield SensorResponse(IntegrationKey("bench", name), value, start + dt.timedelta(milliseconds=index))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=2000)
    parser.add_argument("--responses", type=int, default=120_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-ingest-"))
    try:
        setup_django(data_dir)
        from django.db import connection

        from hi.apps.event.models import Event
        from hi.apps.sense.models import SensorHistory
        from hi.apps.sense.pipeline import SensorResponsePipeline

        journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
        names = build(args.entities)
        responses = list(stream(names, args.responses))
        pipeline = SensorResponsePipeline()
        latencies: list[float] = []
        started = time.perf_counter()
        cpu_started = time.process_time()
        for offset in range(0, len(responses), args.batch):
            batch_started = time.perf_counter()
            pipeline.process(responses[offset:offset + args.batch])
            latencies.append((time.perf_counter() - batch_started) * 1000.0)
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        latencies.sort()
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        rate = len(responses) / elapsed
        stats = pipeline.stats
        print(f"database: SQLite file, journal_mode={journal}; {args.entities} entities, batch {args.batch}")
        print(f"responses: {len(responses)} in {elapsed:.2f} s -> {rate:,.0f} responses/s sustained")
        print(f"cpu time: {cpu:.2f} s -> {len(responses) / cpu:,.0f} responses per cpu-second "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus)")
        print(f"batch latency: p50 {statistics.median(latencies):.1f} ms, p99 {p99:.1f} ms, "
              f"max {latencies[-1]:.1f} ms ({len(latencies)} batches)")
        print(f"applied {stats.applied}, duplicates dropped {stats.duplicates}, history rows "
              f"{SensorHistory.objects.count()}, events {Event.objects.count()} "
              f"(opened {stats.events_opened}, closed {stats.events_closed})")
        print(f"target >= 5,000 responses/s: {'met' if rate >= 5000 else 'NOT met'}")
        connection.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
