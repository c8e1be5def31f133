"""Browser-test wiring: the hub (uvicorn + worker, one loop, one thread) on a loopback port, and Debian's Chromium.

Playwright drives ``/usr/bin/chromium`` (installed by ``scripts/ensure-chromium.sh``); it never downloads a browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hi.apps.access.testing import PASSWORD, make_user
from hi.integrations import lifecycle
from hi.integrations.client import reset_breakers, reset_metrics
from hi.integrations.sync.engine import run_sync
from hi.simulator.hass import HassSimulator

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The README's screenshots are rewritten only on request (`make screenshots`), so a test run
# leaves the work tree clean; otherwise they go to a throw-away folder.
SCREENSHOTS = (
    Path(__file__).resolve().parents[6] / "docs" / "screenshots"
    if os.environ.get("HI_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "hi-screenshots"
)
VIEWPORT = {"width": 1280, "height": 800}  # a landscape wall tablet


@dataclass
class LiveHub:
    url: str
    supervisor: object


def _serve(sock: socket.socket, ready: threading.Event, holder: dict) -> None:
    """Run uvicorn and the worker on one loop, as ``hi run`` does, until asked to stop."""
    import uvicorn
    from django.core.handlers.asgi import ASGIHandler

    from hi.apps.monitor.worker import Supervisor

    async def main() -> None:
        from hi.asgi import wrap

        server = uvicorn.Server(uvicorn.Config(wrap(ASGIHandler()), lifespan="off", log_level="warning",
                                               access_log=False, timeout_graceful_shutdown=1))
        supervisor = Supervisor(poll_interval=0.5, heartbeat_interval=2.0)
        holder.update(loop=asyncio.get_running_loop(), server=server, supervisor=supervisor)
        tasks = [asyncio.create_task(server.serve(sockets=[sock])), asyncio.create_task(supervisor.run())]
        ready.set()
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        server.should_exit = True
        supervisor.stop()
        await asyncio.gather(*tasks, return_exceptions=True)

    asyncio.run(main())


@pytest.fixture
def live_hub(transactional_db, settings) -> Iterator[LiveHub]:
    settings.SERVESTATIC_USE_FINDERS = True  # serve the vendored assets straight from the app
    settings.SERVESTATIC_AUTOREFRESH = True
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    ready, holder = threading.Event(), {}
    thread = threading.Thread(target=_serve, args=(sock, ready, holder), name="live-hub", daemon=True)
    thread.start()
    assert ready.wait(15), "the hub did not start"
    try:
        yield LiveHub(url=f"http://127.0.0.1:{sock.getsockname()[1]}", supervisor=holder["supervisor"])
    finally:
        def stop() -> None:
            holder["server"].should_exit = True
            holder["supervisor"].stop()

        holder["loop"].call_soon_threadsafe(stop)
        thread.join(20)
        sock.close()


@contextlib.contextmanager
def chromium_page(base_url: str, *, bypass_csp: bool = True, bfcache: bool = False) -> Iterator[object]:
    """A Playwright page in Debian's Chromium at ``base_url``; closed (browser and all) afterwards.

    ``bypass_csp``: Playwright's wait_for_function compiles its predicate with eval inside the page, which the
    hub's Content-Security-Policy forbids; the pages themselves are checked under the policy by test_csp.py.
    ``bfcache``: Playwright starts Chromium with ``--disable-back-forward-cache``; a test of what a page does when
    the browser restores it from that cache (``pageshow`` with ``persisted``) drops that flag.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls between steps are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                ignore_default_args=["--disable-back-forward-cache"] if bfcache else None)
            context = browser.new_context(viewport=VIEWPORT, base_url=base_url, bypass_csp=bypass_csp)
            page = context.new_page()
            page.set_default_timeout(15000)
            try:
                yield page
            finally:
                context.close()
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(live_hub) -> Iterator[object]:
    with chromium_page(live_hub.url) as page:
        yield page


def screenshot(page: object, name: str) -> None:
    """Save a screenshot of the viewport (for the README under docs/screenshots/ when asked)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def wait_for(condition: Callable[[], object], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll the database with a deadline: the worker writes from its own thread; nothing here can be awaited."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def start_integration(integration_id: str, values: dict[str, str]) -> None:
    """Configure (connection tested), sync and enable an integration, as a person does on its page."""
    lifecycle.configure(integration_id, values, test=True)
    run_sync(integration_id)
    lifecycle.enable(integration_id)


def submit_login(page, name: str = "alice") -> None:  # type: ignore[no-untyped-def]
    """Fill the login form the page shows with ``name`` and ``PASSWORD``; wait for the home page."""
    page.fill("#id_username", name)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/"))


def log_in(page, name: str = "alice") -> None:  # type: ignore[no-untyped-def]
    """Sign in through the login page as an existing user whose password is ``PASSWORD``."""
    page.goto("/login/")
    submit_login(page, name)


def sign_in(page, name: str = "alice") -> None:  # type: ignore[no-untyped-def]
    """A new user ``name`` (an admin, password ``PASSWORD``), signed in through the login page."""
    make_user(name, password=PASSWORD)
    log_in(page, name)


@pytest.fixture
def hass_sim() -> Iterator[HassSimulator]:
    """The Home Assistant demo home (with its simulated activity) on a loopback port, in its own thread."""
    reset_breakers()
    reset_metrics()
    simulator = HassSimulator()
    with simulator.running_in_thread():
        yield simulator
    reset_breakers()
