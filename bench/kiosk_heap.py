"""Kiosk soak: a plan's kiosk view open in Debian's Chromium for ``--minutes`` (default 10) of simulated
activity — the toy system's motion sensor and light change every ``--interval`` seconds, travelling the real
way (simulator → worker's monitor → pipeline → live stream → page) — with the page's JS heap measured after a
full garbage collection every minute (Chrome DevTools Protocol ``Runtime.getHeapUsage``).

    python bench/kiosk_heap.py [--minutes 10] [--interval 1.0]
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
from pathlib import Path

from _support import setup_django

CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    setup_django(Path(tempfile.mkdtemp(prefix="hi-bench-kiosk-")))
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API keeps a loop in this thread

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from playwright.sync_api import sync_playwright

    from hi.apps.entity.models import Entity
    from hi.apps.web.tests.browser.conftest import CHROMIUM_ARGS, _serve
    from hi.apps.web.tests.browser.kiosk_soak import kiosk_plan, soak
    from hi.integrations import integration_factory, lifecycle
    from hi.integrations.sync.engine import run_sync
    from hi.integrations.testing.gateway import TOY, ToyGateway
    from hi.integrations.testing.simulator import TOY_TOKEN, ToySimulator

    settings.SERVESTATIC_USE_FINDERS = True
    simulator = ToySimulator()
    with simulator.running_in_thread():
        integration_factory.register(ToyGateway)
        lifecycle.configure(TOY, {"base_url": simulator.url, "api_token": TOY_TOKEN, "poll_interval": "0.2"})
        run_sync(TOY)
        lifecycle.enable(TOY)
        floor = kiosk_plan({e.integration_name: e.id for e in Entity.objects.filter(integration_id=TOY)})
        get_user_model().objects.create_user("bench", password="bench-password-1")

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        ready, holder = threading.Event(), {}
        threading.Thread(target=_serve, args=(sock, ready, holder), daemon=True).start()
        ready.wait(15)
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            page = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=url).new_page()
            page.goto("/login/")
            page.fill("#id_username", "bench")
            page.fill("#id_password", "bench-password-1")
            page.click("button[type=submit]")
            page.wait_for_url(lambda u: u.endswith("/"))
            page.goto(f"/places/{floor}/kiosk")
            page.wait_for_function("document.querySelector('#live-indicator .live-text').textContent === 'live'")
            soak(page, simulator, seconds=10, interval=args.interval, sample_every=10)  # warm-up
            result = soak(page, simulator, seconds=args.minutes * 60, interval=args.interval, sample_every=60)
            browser.close()
        holder["loop"].call_soon_threadsafe(lambda: (setattr(holder["server"], "should_exit", True),
                                                     holder["supervisor"].stop()))
    print(f"{'minute':>6} {'JS heap KB':>11} {'changes sent':>13} {'updates seen':>13}")
    for sample in result.samples:
        print(f"{sample.seconds / 60:6.1f} {sample.heap_bytes / 1024:11.1f} {sample.changes_sent:13d} "
              f"{sample.updates_seen:13d}")
    first, last = result.samples[0], result.samples[-1]
    print(f"heap growth over {args.minutes:g} min: {result.growth_bytes / 1024:+.1f} KB "
          f"({first.heap_bytes / 1024:.0f} → {last.heap_bytes / 1024:.0f} KB after GC); "
          f"{last.updates_seen} live updates for {last.changes_sent} steps of two changes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
