"""Home Assistant import at scale: 5,000 entities (target ≤ 15 s), no-op refresh (≤ 3 s), peak RSS (≤ 400 MB).

The simulator's scale profile runs in its own process; the hub side (REST fetch, validation,
grouping, sync plan and apply) runs here on a fresh SQLite file in WAL mode. RSS is this process's peak.

    python bench/hass_import.py [--runs 1]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _support import SRC, setup_django


def start_simulator(profile: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.Popen([sys.executable, "-m", "hi.simulator.hass", "--profile", profile, "--quiet"],
                               stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        process.kill()
        raise SystemExit("the Home Assistant simulator did not start")
    return process, url


def configure(url: str) -> None:
    """Configure and enable ``hass`` through the lifecycle, as a person would (no connection test)."""
    from hi.integrations import lifecycle
    from hi.simulator.hass import DEFAULT_TOKEN

    lifecycle.configure("hass", {"base_url": url, "api_token": DEFAULT_TOKEN}, test=False)
    lifecycle.enable("hass")


@contextlib.contextmanager
def synced_demo_home(prefix: str) -> Iterator[str]:
    """The demo home's simulator in its own process, a fresh database with ``hass`` configured and synced.

    Yields the simulator's URL; the process and the data dir are gone afterwards."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    process, url = start_simulator("demo")
    try:
        setup_django(data_dir)
        from hi.integrations.sync.engine import run_sync

        configure(url)
        run_sync("hass")
        yield url
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="no-op refreshes to time")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-hass-"))
    process, url = start_simulator("scale")
    try:
        setup_django(data_dir)
        from hi.apps.entity.models import Entity, EntityState
        from hi.integrations.sync.engine import run_sync

        configure(url)
        started = time.perf_counter()
        report = run_sync("hass")
        import_s = time.perf_counter() - started
        entities = Entity.objects.filter(integration_id="hass").count()
        states = EntityState.objects.filter(entity__integration_id="hass").count()
        refresh_times = []
        for _ in range(max(1, args.runs)):
            started = time.perf_counter()
            again = run_sync("hass")
            refresh_times.append(time.perf_counter() - started)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)
    refresh_s = max(refresh_times)
    print(f"Home Assistant import: 5000 HA entities -> {entities} entities, {states} states "
          f"({report.plan.counts})")
    print(f"  import      {import_s:6.2f} s   (target <= 15 s)  {'OK' if import_s <= 15 else 'MISSED'}")
    print(f"  no-op sync  {refresh_s:6.2f} s   (target <=  3 s)  {'OK' if refresh_s <= 3 else 'MISSED'}"
          f"   plan empty: {again.plan.is_empty}")
    print(f"  peak RSS    {rss_mb:6.0f} MB  (target <= 400 MB) {'OK' if rss_mb <= 400 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
