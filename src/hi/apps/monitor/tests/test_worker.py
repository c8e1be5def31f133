"""The supervisor: one task per active integration, crash isolation with backoff, config reloads, stops."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Callable

import pytest
from asgiref.sync import sync_to_async

from hi.apps.monitor.models import WorkerHeartbeat
from hi.apps.monitor.worker import Supervisor
from hi.integrations import integration_factory
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration
from hi.utils.backoff import Backoff
from hi.utils.clock import ManualClock

from .gateways import CrashingGateway, SilentGateway, SteadyGateway

pytestmark = pytest.mark.django_db(transaction=True)

GATEWAYS = (SteadyGateway, CrashingGateway, SilentGateway)


@pytest.fixture(autouse=True)
def registered_gateways():
    for gateway in GATEWAYS:
        integration_factory.register(gateway)
        gateway().reset()
    yield
    for gateway in GATEWAYS:
        integration_factory.unregister(gateway.integration_id)


async def eventually(condition: Callable[[], bool], timeout: float = 15.0, in_thread: bool = False) -> None:
    """Poll with a deadline, for state that offers nothing to await (``in_thread`` for DB checks)."""
    deadline = asyncio.get_running_loop().time() + timeout
    check = sync_to_async(condition) if in_thread else None
    while not (await check() if check else condition()):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def activate(integration_id: str, version: int = 1) -> Integration:
    return Integration.objects.create(integration_id=integration_id, status=IntegrationStatus.ACTIVE,
                                      config_version=version)


@contextlib.asynccontextmanager
async def running(supervisor: Supervisor) -> AsyncIterator[Supervisor]:
    task = asyncio.create_task(supervisor.run())
    try:
        yield supervisor
    finally:
        supervisor.stop()
        await asyncio.wait_for(task, 10)


def manual_supervisor(clock: ManualClock) -> Supervisor:
    return Supervisor(clock=clock, poll_interval=3600, heartbeat_interval=3600, stop_grace=2,
                      backoff=Backoff(base=1.0, maximum=4.0, rng=random.Random(7).uniform))


async def test_a_crashing_monitor_is_restarted_with_growing_capped_backoff_while_others_run():
    await sync_to_async(activate)("test_steady")
    await sync_to_async(activate)("test_crashing")
    clock = ManualClock()
    steady, crashing = SteadyGateway(), CrashingGateway()
    async with running(manual_supervisor(clock)) as supervisor:
        def backoff_sleeps() -> list[float]:
            return [d for d in clock.sleep_calls if d not in (1.0, 3600)]

        for attempt in range(1, 6):
            await eventually(lambda a=attempt: len(backoff_sleeps()) == a)
            assert supervisor.slots["test_crashing"].state == "backoff"
            clock.advance(10)
            await eventually(lambda a=attempt: len(crashing.contexts) == a + 1)
        delays = backoff_sleeps()
        assert len(delays) >= 5
        assert all(0.5 * min(4.0, 2 ** (n)) <= d <= min(4.0, 2 ** n) for n, d in enumerate(delays[:5]))
        assert max(delays) <= 4.0
        assert supervisor.slots["test_steady"].state == "running"
        assert supervisor.slots["test_steady"].task is not None and not supervisor.slots["test_steady"].task.done()
        assert steady.loop_ticks >= 5  # it kept running through every crash next door
        assert len(steady.contexts) == 1
        assert "the device went away" in supervisor.slots["test_crashing"].last_error


async def test_a_config_version_change_restarts_the_monitor_with_the_new_settings():
    integration = await sync_to_async(activate)("test_steady", version=1)
    gateway = SteadyGateway()
    async with running(Supervisor(poll_interval=3600, heartbeat_interval=3600)) as supervisor:
        await eventually(lambda: len(gateway.contexts) == 1)
        assert gateway.contexts[0].config_version == 1
        integration.config_version = 2
        await sync_to_async(integration.save)()  # the post_save hook wakes the supervisor at once
        await eventually(lambda: len(gateway.contexts) == 2)
        assert gateway.contexts[0].stopping
        assert gateway.contexts[1].config_version == 2
        assert supervisor.slots["test_steady"].config_version == 2
        assert (gateway.activations, gateway.deactivations) == (2, 1)  # the gateway reloaded too


def test_only_saves_that_touch_status_or_config_wake_the_worker(monkeypatch):
    from hi.apps.monitor import worker
    from hi.integrations import health

    wakes: list[str] = []
    monkeypatch.setattr(worker, "notify_integrations_changed", lambda: wakes.append("wake"))
    integration = activate("test_steady")
    assert wakes == ["wake"]
    health.record_failure("test_steady", RuntimeError("flaky"))
    health.set_detail("test_steady", "link", "polling")
    assert wakes == ["wake"]  # health writes name their fields; none is one the worker reads
    integration.config_version = 2
    integration.save(update_fields=["config_version"])
    assert wakes == ["wake", "wake"]


async def test_pausing_stops_the_monitor_and_deactivates_the_gateway():
    integration = await sync_to_async(activate)("test_steady")
    gateway = SteadyGateway()
    async with running(Supervisor(poll_interval=3600, heartbeat_interval=3600)) as supervisor:
        await eventually(lambda: len(gateway.contexts) == 1)
        integration.status = IntegrationStatus.PAUSED
        await sync_to_async(integration.save)()
        await eventually(lambda: gateway.deactivations == 1)
        assert "test_steady" not in supervisor.slots
        assert gateway.contexts[0].stopping


async def test_changes_made_elsewhere_are_picked_up_by_polling():
    gateway = SteadyGateway()
    async with running(Supervisor(poll_interval=0.05, heartbeat_interval=3600)):
        await sync_to_async(
            lambda: Integration.objects.bulk_create([Integration(integration_id="test_steady",
                                                                 status=IntegrationStatus.ACTIVE)]))()
        await asyncio.wait_for(gateway.started.wait(), 5)  # bulk_create sends no signal: polling found it
        assert len(gateway.contexts) == 1


async def test_an_integration_without_a_monitor_idles_and_unknown_ids_are_ignored():
    await sync_to_async(activate)("test_silent")
    await sync_to_async(activate)("not_a_known_integration")
    async with running(Supervisor(poll_interval=3600, heartbeat_interval=3600)) as supervisor:
        await supervisor.wait_reconciled(0)
        await eventually(lambda: supervisor.slots["test_silent"].state == "idle")
        assert set(supervisor.slots) == {"test_silent"}


async def test_the_worker_writes_its_heartbeat_and_marks_itself_stopped():
    async with running(Supervisor(poll_interval=3600, heartbeat_interval=3600)) as supervisor:
        await supervisor.wait_reconciled(0)
        await eventually(lambda: WorkerHeartbeat.objects.filter(worker_id=supervisor.worker_id).exists(),
                         in_thread=True)
        row = await sync_to_async(WorkerHeartbeat.objects.get)(worker_id=supervisor.worker_id)
        assert row.stopped_at is None and row.is_alive()
    row = await sync_to_async(WorkerHeartbeat.objects.get)(worker_id=supervisor.worker_id)
    assert row.stopped_at is not None and not row.is_alive()


async def test_shutdown_stops_every_monitor_and_deactivates_them():
    await sync_to_async(activate)("test_steady")
    gateway = SteadyGateway()
    supervisor = Supervisor(poll_interval=3600, heartbeat_interval=3600)
    async with running(supervisor):
        await asyncio.wait_for(gateway.started.wait(), 5)
    assert gateway.contexts[0].stopping
    assert (gateway.activations, gateway.deactivations) == (1, 1)
    assert supervisor.slots == {}


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    backoff = Backoff(base=1.0, maximum=30.0, rng=random.Random(1).uniform)
    for attempt in range(1, 12):
        ceiling = min(30.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= backoff.delay(attempt) <= ceiling


async def test_a_second_live_worker_on_the_same_database_is_warned_about(caplog):
    from django.utils import timezone

    now = timezone.now()
    await sync_to_async(WorkerHeartbeat.objects.create)(worker_id="elsewhere:1", hostname="elsewhere", pid=1,
                                                        started_at=now, heartbeat_at=now)
    async with running(Supervisor(poll_interval=3600, heartbeat_interval=3600)) as supervisor:
        await supervisor.wait_reconciled(0)
    assert "another worker is running (elsewhere:1)" in caplog.text


async def test_the_worker_turns_stale_sent_control_requests_unconfirmed():
    import datetime as dt

    from django.utils import timezone

    from hi.apps.api.tests.factories import make_light
    from hi.apps.control.models import ControllerHistory, ControlOutcome

    def stale_request() -> ControllerHistory:
        light = make_light()
        return ControllerHistory.objects.create(controller=light.controller, requested_value="on",
                                                requested_by="test", outcome=ControlOutcome.SENT,
                                                requested_at=timezone.now() - dt.timedelta(hours=1))

    request = await sync_to_async(stale_request)()
    async with running(Supervisor(poll_interval=3600, heartbeat_interval=3600)):
        await eventually(lambda: ControllerHistory.objects.get(pk=request.pk).outcome == ControlOutcome.UNCONFIRMED,
                         in_thread=True)
