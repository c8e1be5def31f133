"""Test-only gateways whose monitors report what the supervisor did to them."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import ClassVar

from hi.apps.monitor.context import WorkerContext
from hi.integrations.integration_gateway import (
    ConnectionTestResult,
    IntegrationGateway,
    ManageResult,
    success,
)
from hi.integrations.models import Integration
from hi.integrations.monitor import IntegrationMonitor


class RecordingGateway(IntegrationGateway):
    """Counts monitor starts and deactivations; subclasses choose how the monitor behaves."""

    integration_id: ClassVar[str] = "test_base"
    label: ClassVar[str] = "Test"

    def init_singleton(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.contexts: list[WorkerContext] = []
        self.deactivations = 0
        self.activations = 0
        self.started = asyncio.Event()
        self.loop_ticks = 0

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        return ConnectionTestResult(ok=True, message="ok")

    def activate(self, integration: Integration) -> ManageResult:
        self.activations += 1
        return success("running")

    def deactivate(self, integration: Integration) -> ManageResult:
        self.deactivations += 1
        return success("stopped")

    def get_monitor(self, integration: Integration) -> IntegrationMonitor | None:
        return _Monitor(self)

    async def behave(self, context: WorkerContext) -> None:
        while not context.stopping:
            self.loop_ticks += 1
            await context.sleep(1.0)


class _Monitor(IntegrationMonitor):
    def __init__(self, gateway: RecordingGateway) -> None:
        self.gateway = gateway

    async def run(self, context: WorkerContext) -> None:
        self.gateway.contexts.append(context)
        self.gateway.started.set()
        await self.gateway.behave(context)


class SteadyGateway(RecordingGateway):
    integration_id: ClassVar[str] = "test_steady"


class CrashingGateway(RecordingGateway):
    integration_id: ClassVar[str] = "test_crashing"

    async def behave(self, context: WorkerContext) -> None:
        raise RuntimeError("the device went away")


class SilentGateway(RecordingGateway):
    """An integration without a monitor (nothing to run in the background)."""

    integration_id: ClassVar[str] = "test_silent"

    def get_monitor(self, integration: Integration) -> IntegrationMonitor | None:
        return None
