"""The worker end to end with the toy integration: a change on the (simulated) device reaches the live bus."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from hi.apps.monitor.models import WorkerHeartbeat
from hi.apps.monitor.worker import Supervisor
from hi.apps.sense.live.bus import get_live_bus
from hi.apps.sense.pipeline import get_pipeline
from hi.integrations.enums import HealthStatus
from hi.integrations.models import Integration
from hi.integrations.testing.fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_device_change_flows_through_the_supervised_monitor(toy_integration, toy_simulator):
    subscription = get_live_bus().subscribe()
    supervisor = Supervisor(poll_interval=0.2, heartbeat_interval=0.2)
    task = asyncio.create_task(supervisor.run())
    try:
        toy_simulator.set_value("porch", "active")
        while True:
            change = await subscription.get(timeout=10)
            if getattr(change, "value", None) == "active":
                break
        assert "toy:porch" in change.integration_keys
    finally:
        subscription.close()
        supervisor.stop()
        await asyncio.wait_for(task, 10)
        await _close_pipeline_connection()
    integration, stopped = await sync_to_async(_final_state)()
    assert integration.health_status == HealthStatus.HEALTHY
    assert integration.heartbeat_at is not None
    assert stopped


def _final_state() -> tuple[Integration, bool]:
    try:
        return (Integration.objects.get(integration_id="toy"),
                WorkerHeartbeat.objects.filter(stopped_at__isnull=False).exists())
    finally:
        connection.close()  # PostgreSQL cannot drop the test database while a thread holds a session


async def _close_pipeline_connection() -> None:
    """The pipeline's own thread holds a connection; close it there (same PostgreSQL reason)."""
    def close() -> None:
        connection.close()

    await asyncio.get_running_loop().run_in_executor(get_pipeline()._get_executor(), close)
