"""Fixtures: a ZoneMinder simulator on a loopback socket, the integration configured against it, a poller."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async

from hi.apps.entity.models import EntityState
from hi.apps.event.models import Event
from hi.apps.monitor.context import WorkerContext
from hi.integrations.client.retry import RetryPolicy
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration, IntegrationAttribute
from hi.integrations.sensor_response import SensorResponse
from hi.integrations.sync.engine import run_sync
from hi.services.zoneminder.monitors import ZoneMinderMonitor
from hi.services.zoneminder.zm_client import AsyncZoneMinderClient, ZmSettings
from hi.simulator.zoneminder import ZoneMinderSimulator
from hi.utils.clock import Clock

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, budget=2.0)


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


@pytest_asyncio.fixture
async def imported(sim: ZoneMinderSimulator) -> ZoneMinderSimulator:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("zoneminder")
    return sim


class RecordingContext(WorkerContext):
    """A real context that also keeps every response it hands to the pipeline (to count deliveries)."""

    def __init__(self, *args: Any, record: list[SensorResponse], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record = record

    async def submit(self, responses: Iterable[SensorResponse]) -> list[Any]:
        batch = list(responses)
        self.record.extend(batch)
        return await super().submit(batch)


class Poller:
    """One monitor instance (a worker process, in effect) and its context."""

    def __init__(self, sim: ZoneMinderSimulator, *, record: list[SensorResponse] | None = None,
                 clock: Clock | None = None, **client_options: object) -> None:
        self.sim = sim
        self.monitor = ZoneMinderMonitor(interval_seconds=1.0, client=fast_client(sim, **client_options))
        self.monitor.prepare(sim.integration_attributes())
        self.submitted: list[SensorResponse] = [] if record is None else record
        self.context = RecordingContext("zoneminder", sim.integration_attributes(), record=self.submitted,
                                        clock=clock)

    async def poll(self) -> None:
        await self.monitor.poll(self.context)

    async def close(self) -> None:
        assert self.monitor.client is not None
        await self.monitor.client.aclose()


@pytest_asyncio.fixture
async def poller(imported: ZoneMinderSimulator) -> AsyncIterator[Poller]:
    worker = Poller(imported)
    await worker.poll()  # the first poll sets the cursor after the (empty) history
    yield worker
    await worker.close()


@sync_to_async
def events(monitor_id: int | None = None) -> list[Event]:
    query = Event.objects.filter(entity_state__state_key="movement").order_by("start", "id")
    if monitor_id is not None:
        query = query.filter(entity__integration_name=f"monitor.{monitor_id}")
    return list(query)


@sync_to_async
def state_value(monitor_id: int, state_key: str) -> object:
    return EntityState.objects.get(entity__integration_name=f"monitor.{monitor_id}", state_key=state_key).value


def at(seconds_ago: float, sim: ZoneMinderSimulator) -> dt.datetime:
    return (sim.state.now() - dt.timedelta(seconds=seconds_ago)).replace(microsecond=0)
