"""Fixtures: a HomeBox simulator (either API generation) on a loopback socket, the integration configured."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hi.integrations.client.retry import RetryPolicy
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration, IntegrationAttribute
from hi.services.homebox.client import HomeBoxSettings, reset_sessions
from hi.services.homebox.hb_sync import forget_conversions
from hi.simulator.homebox import HomeBoxSimulator

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, budget=2.0)
GENERATIONS = {"entities": "demo", "items": "legacy"}


@pytest.fixture(autouse=True)
def _fresh_client_state() -> Iterator[None]:
    reset_sessions()
    forget_conversions()
    yield
    reset_sessions()
    forget_conversions()


@pytest.fixture(params=sorted(GENERATIONS))
def sim(request: pytest.FixtureRequest) -> Iterator[HomeBoxSimulator]:
    """The demo inventory in each API generation: v0.26 (entities, tags) and v0.10.3 (items, labels)."""
    simulator = HomeBoxSimulator(GENERATIONS[request.param])
    with simulator.running_in_thread():
        yield simulator


def settings_for(simulator: HomeBoxSimulator, **overrides: str) -> HomeBoxSettings:
    values = {"api_url": simulator.url, "username": simulator.username, "password": simulator.password, **overrides}
    return HomeBoxSettings(**values)


def configure(simulator: HomeBoxSimulator, status: str = IntegrationStatus.ACTIVE, **overrides: str) -> Integration:
    """Store the integration as the lifecycle would after a successful configure + enable."""
    integration, _ = Integration.objects.update_or_create(integration_id="homebox",
                                                          defaults={"status": status, "config_version": 1})
    for key, value in {**simulator.integration_attributes(), **overrides}.items():
        IntegrationAttribute.objects.update_or_create(integration=integration, key=key, defaults={
            "value": value, "is_secret": key in ("password", "api_key")})
    return integration
