"""Sync engine on SQLite: import of 5,000 entities and a no-op re-sync (targets ≤ 15 s / ≤ 3 s).

The inventory is synthetic (lights with power + brightness, sensors with one reading, an
attribute each), so this measures the engine alone; bench/hass_sync-style scripts measure an
integration end to end.

    python bench/sync_engine.py [--entities 5000]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _support import setup_django


def inventory(count: int, renamed: int = 0):
    from hi.apps.entity.enums import EntityStateType as S
    from hi.integrations.keys import IntegrationKey
    from hi.integrations.sync.inventory import (
        ExternalAttribute,
        ExternalController,
        ExternalEntity,
        ExternalSensor,
        ExternalState,
        Inventory,
    )

    entities = []
    for index in range(count):
        name = f"light.room_{index}"
        key = IntegrationKey("bench", name)
        states = (
            ExternalState("power", "Power", S.ON_OFF, value="off",
                          sensor=ExternalSensor(IntegrationKey("bench", f"{name}:power"), "power"),
                          controller=ExternalController(IntegrationKey("bench", f"{name}:power"), "power")),
            ExternalState("brightness", "Brightness", S.LIGHT_DIMMER, units="%", value=40,
                          sensor=ExternalSensor(IntegrationKey("bench", f"{name}:brightness"), "brightness"),
                          controller=ExternalController(IntegrationKey("bench", f"{name}:brightness"), "brightness")),
        )
        label = f"Room {index}" + (" (new)" if index < renamed else "")
        entities.append(ExternalEntity(key, label, "light", states, (ExternalAttribute("model", "LX-1"),),
                                       payload={"entity_id": name}))
    return Inventory("bench", tuple(entities))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=5000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-sync-"))
    try:
        setup_django(data_dir)
        from django.db import connection, transaction

        from hi.integrations.sync.engine import apply_sync, plan_sync

        def timed(inv) -> tuple[str, dict]:
            started, cpu = time.perf_counter(), time.process_time()
            with transaction.atomic():
                report = apply_sync(plan_sync("bench", inv))
            return (f"{time.perf_counter() - started:.2f} s (cpu {time.process_time() - cpu:.2f} s)",
                    report.counts)

        first, counts = timed(inventory(args.entities))
        print(f"import of {args.entities} entities: {first} {counts} (target <= 15 s)")
        again, counts = timed(inventory(args.entities))
        print(f"no-op re-sync: {again} {counts} (target <= 3 s)")
        some, counts = timed(inventory(args.entities, renamed=100))
        print(f"re-sync with 100 renamed: {some} {counts}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {peak:.0f} MB; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")
        connection.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
