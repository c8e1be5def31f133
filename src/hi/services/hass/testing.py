"""Test support for the Home Assistant service, shared by its own tests and the fault suite (tests/faults).

Import the fixtures into a conftest.py (``_close_pipeline_connection`` is autouse there):

    from hi.services.hass.testing import *  # noqa: F403

``sim`` is the quiet demo home on the test's event loop, ``threaded_sim`` the same on its own thread (for
synchronous callers), ``home`` that one with its entities imported (for control); ``configure`` stores the
integration as configure + enable leave it; ``eventually`` polls database state, which has nothing to await on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

from hi.apps.control.dispatch import dispatch_control
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration, IntegrationAttribute
from hi.integrations.sync.engine import run_sync
from hi.simulator.hass import HassSimulator

__all__ = ["_close_pipeline_connection", "home", "sim", "threaded_sim"]


@pytest.fixture(autouse=True)
def _close_pipeline_connection() -> Iterator[None]:
    """The pipeline's worker thread holds a database connection; close it so PostgreSQL can drop the test DB."""
    yield
    from hi.apps.sense.pipeline import get_pipeline

    get_pipeline().shutdown()


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[HassSimulator]:
    """The demo home, quiet (no simulated activity), on this test's event loop."""
    simulator = HassSimulator(activity=False)
    await simulator.start()
    try:
        yield simulator
    finally:
        simulator.release_stall()
        await simulator.stop()


@pytest.fixture
def threaded_sim() -> Iterator[HassSimulator]:
    """The demo home on its own thread, for synchronous callers (sync, control, connection tests)."""
    simulator = HassSimulator(activity=False)
    with simulator.running_in_thread():
        yield simulator


@pytest.fixture
def home(threaded_sim: HassSimulator) -> HassSimulator:
    """``threaded_sim`` with the integration configured against it and its entities imported (for control)."""
    configure(threaded_sim)
    run_sync("hass")
    return threaded_sim


def control(key: str, value: Any, code: str | None = None) -> Any:
    """Dispatch ``value`` to the hass controller ``key`` as a test would from the UI; the history row."""
    return dispatch_control(f"hass:{key}", value, requested_by="test", code=code)


def ha(sim: HassSimulator, entity_id: str) -> dict[str, Any]:
    """Home Assistant's own current state of ``entity_id`` (it must exist)."""
    state = sim.state_of(entity_id)
    assert state is not None
    return state


def configure(simulator: HassSimulator, *, allowlist: str = "", auto_sync: bool = False,
              status: str = IntegrationStatus.ACTIVE) -> Integration:
    """Store the integration as the lifecycle would after a successful configure + enable."""
    integration, _ = Integration.objects.update_or_create(
        integration_id="hass", defaults={"status": status, "config_version": 1, "auto_sync": auto_sync})
    values = {**simulator.integration_attributes(), "import_allowlist": allowlist}
    for key, value in values.items():
        IntegrationAttribute.objects.update_or_create(integration=integration, key=key, defaults={
            "value": value, "is_secret": key == "api_token"})
    return integration


async def eventually(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll a sync or async check until it returns something truthy (nothing to await in the database)."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)
