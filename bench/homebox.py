"""HomeBox import at scale: 5,000 items with 2,000 attachments against the simulator on loopback.

Targets: first import ≤ 30 s (attachments are not fetched: they are lazy), no-op re-sync ≤ 3 s and
≤ 10 requests, peak RSS ≤ 300 MB. The simulator runs in its own process; the hub side (list pages,
detail reads, conversion, sync plan and apply) runs here on a fresh SQLite file in WAL mode.

    python bench/homebox.py [--items 5000] [--attachments 2000] [--version v0.26.2] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import SRC, setup_django


def start_simulator(items: int, attachments: int, version: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.Popen([sys.executable, "-m", "hi.simulator.homebox", "--profile", "scale",
                                "--items", str(items), "--attachments", str(attachments), "--version", version],
                               stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http"):
        process.kill()
        raise SystemExit("the HomeBox simulator did not start")
    return process, url


def server_requests(url: str) -> int:
    """Requests the simulator has answered so far (its own counter, over loopback)."""
    import httpx

    return int(httpx.get(f"{url}/_sim/requests").json()["total"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--attachments", type=int, default=2000)
    parser.add_argument("--version", default="v0.26.2", help="v0.10.3 / v0.25.0 for the items API")
    parser.add_argument("--runs", type=int, default=3, help="no-op re-syncs to time")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-homebox-"))
    process, url = start_simulator(args.items, args.attachments, args.version)
    try:
        setup_django(data_dir)
        from hi.apps.entity.models import Entity, EntityAttribute
        from hi.integrations import lifecycle
        from hi.integrations.sync.engine import run_sync
        from hi.simulator.homebox import PASSWORD, USERNAME

        lifecycle.configure("homebox", {"api_url": url, "username": USERNAME, "password": PASSWORD}, test=False)
        lifecycle.enable("homebox")
        before = server_requests(url)
        started = time.perf_counter()
        report = run_sync("homebox")
        import_s = time.perf_counter() - started
        import_requests = server_requests(url) - before
        entities = Entity.objects.filter(integration_id="homebox").count()
        files = EntityAttribute.objects.filter(entity__integration_id="homebox", value_type="file").count()
        times, requests = [], []
        for _ in range(max(1, args.runs)):
            before = server_requests(url)
            started = time.perf_counter()
            again = run_sync("homebox")
            times.append(time.perf_counter() - started)
            requests.append(server_requests(url) - before)
        downloads = int(__import__("httpx").get(f"{url}/_sim/requests").json()["attachment_downloads"])
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(data_dir, ignore_errors=True)
    noop_s, noop_requests = max(times), max(requests)
    print(f"HomeBox {args.version}: {args.items} items, {args.attachments} attachments -> {entities} entities, "
          f"{files} file attributes ({report.plan.counts})")
    print(f"  import      {import_s:6.2f} s   {import_requests} requests, {downloads} files downloaded "
          f"(target <= 30 s)  {'OK' if import_s <= 30 else 'MISSED'}")
    print(f"  no-op sync  {noop_s:6.2f} s   {noop_requests} requests (target <= 3 s, <= 10 requests)  "
          f"{'OK' if noop_s <= 3 and noop_requests <= 10 else 'MISSED'}   plan empty: {again.plan.is_empty}")
    print(f"  peak RSS    {rss_mb:6.0f} MB  (target <= 300 MB) {'OK' if rss_mb <= 300 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
