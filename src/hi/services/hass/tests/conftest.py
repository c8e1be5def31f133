"""Fixtures: a Home Assistant simulator on a loopback socket and the integration configured against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration, IntegrationAttribute
from hi.simulator.hass import HassSimulator


@pytest.fixture(autouse=True)
def _close_pipeline_connection() -> Iterator[None]:
    """The pipeline's worker thread holds a database connection; close it so PostgreSQL can drop the test DB."""
    yield
    from hi.apps.sense.pipeline import get_pipeline

    get_pipeline().shutdown()


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[HassSimulator]:
    """The demo home on this test's event loop."""
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
