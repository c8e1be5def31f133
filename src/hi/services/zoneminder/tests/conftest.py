"""Fixtures: a ZoneMinder simulator on a loopback socket and the integration configured against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from hi.integrations.client.breaker import reset_breakers
from hi.integrations.client.retry import RetryPolicy
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration, IntegrationAttribute
from hi.services.zoneminder.zm_client import AsyncZoneMinderClient, ZmSettings
from hi.simulator.zoneminder import ZoneMinderSimulator

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, budget=2.0)


@pytest.fixture(autouse=True)
def _fresh_breakers() -> Iterator[None]:
    reset_breakers()
    yield
    reset_breakers()


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[ZoneMinderSimulator]:
    """A quiet demo server (no motion script, no history) on this test's event loop."""
    simulator = ZoneMinderSimulator(motion=False, timezone="America/Chicago")
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
def threaded_sim() -> Iterator[ZoneMinderSimulator]:
    """The same server on its own thread, for synchronous callers (sync, control, Django views)."""
    simulator = ZoneMinderSimulator(motion=False, timezone="America/Chicago")
    with simulator.running_in_thread():
        yield simulator


def settings_for(simulator: ZoneMinderSimulator) -> ZmSettings:
    return ZmSettings(simulator.api_url, simulator.portal_url, simulator.username, simulator.password)


def fast_client(simulator: ZoneMinderSimulator, **options: object) -> AsyncZoneMinderClient:
    return AsyncZoneMinderClient(settings_for(simulator), retry=FAST_RETRY, **options)  # type: ignore[arg-type]


def configure(simulator: ZoneMinderSimulator, status: str = IntegrationStatus.ACTIVE) -> Integration:
    """Store the integration as the lifecycle would after a successful configure + enable."""
    integration, _ = Integration.objects.update_or_create(integration_id="zoneminder",
                                                          defaults={"status": status, "config_version": 1})
    for key, value in simulator.integration_attributes().items():
        IntegrationAttribute.objects.update_or_create(integration=integration, key=key, defaults={
            "value": value, "is_secret": key == "password"})
    return integration
