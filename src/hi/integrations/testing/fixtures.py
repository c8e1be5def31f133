"""Pytest fixtures for the toy integration; import them into a conftest.py:

    from hi.integrations.testing.fixtures import *  # noqa: F403
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from hi.apps.sense.pipeline import get_pipeline
from hi.integrations.sensor_response import SensorResponse

from .. import integration_factory
from .gateway import TOY, ToyGateway
from .simulator import TOY_TOKEN, ToySimulator

__all__ = ["ToyContext", "toy_attributes", "toy_gateway", "toy_integration", "toy_simulator"]


@dataclass
class ToyContext:
    """The part of ``MonitorContext`` a monitor's ``poll`` uses, feeding the real pipeline."""

    attributes: dict[str, str]
    successes: int = 0
    failures: list[BaseException] = field(default_factory=list)
    submitted: list[SensorResponse] = field(default_factory=list)

    async def submit(self, responses: Sequence[SensorResponse]) -> Any:
        """Process on a worker thread that closes its connection after (tests need ``transaction=True``)."""
        self.submitted.extend(responses)
        return await asyncio.to_thread(self._process, list(responses))

    @staticmethod
    def _process(responses: list[SensorResponse]) -> Any:
        from django.db import connection

        try:
            return get_pipeline().process(responses)
        finally:
            connection.close()

    details: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    async def report_success(self, message: str = "") -> None:
        self.successes += 1

    async def report_warning(self, message: str) -> None:
        self.warnings.append(message)

    async def report_failure(self, exc: BaseException) -> None:
        self.failures.append(exc)

    async def set_detail(self, key: str, value: Any) -> None:
        self.details[key] = value

    async def heartbeat(self) -> None:
        return None


@pytest.fixture
def toy_simulator() -> Iterator[ToySimulator]:
    """The toy server on a real loopback socket, in its own thread."""
    simulator = ToySimulator()
    with simulator.running_in_thread():
        yield simulator


@pytest.fixture
def toy_gateway() -> Iterator[ToyGateway]:
    """The toy gateway, registered with the integration factory for the test's duration."""
    ToyGateway.reset_instance()
    integration_factory.register(ToyGateway)
    try:
        yield ToyGateway()
    finally:
        integration_factory.unregister(TOY)
        ToyGateway.reset_instance()


@pytest.fixture
def toy_attributes(toy_simulator: ToySimulator) -> dict[str, str]:
    return {"base_url": toy_simulator.url, "api_token": TOY_TOKEN, "poll_interval": "0.05"}


@pytest.fixture
def toy_integration(db: None, toy_gateway: ToyGateway, toy_attributes: dict[str, str]):
    """The toy integration configured (connection tested), enabled and synced."""
    from ..lifecycle import configure, enable
    from ..models import Integration
    from ..sync.engine import run_sync

    configure(TOY, toy_attributes)
    enable(TOY)
    run_sync(TOY)
    return Integration.objects.get(integration_id=TOY)
