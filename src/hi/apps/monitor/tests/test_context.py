"""WorkerContext: a read-only snapshot of settings and a sleep that ends the moment a stop is asked."""

from __future__ import annotations

import asyncio

import pytest

from hi.apps.monitor.context import WorkerContext
from hi.utils.clock import Clock, ManualClock


async def test_sleep_returns_early_and_says_so_when_stopping():
    context = WorkerContext("toy", {}, clock=Clock())
    sleeper = asyncio.create_task(context.sleep(3600))
    await asyncio.sleep(0)
    context.stop_event.set()
    assert await asyncio.wait_for(sleeper, 2) is True
    assert context.stopping


async def test_sleep_runs_its_course_when_nobody_stops_it():
    clock = ManualClock()
    context = WorkerContext("toy", {}, clock=clock)
    sleeper = asyncio.create_task(context.sleep(30))
    await clock.wait_for_sleepers(1)
    clock.advance(29)
    await asyncio.sleep(0)
    assert not sleeper.done()
    clock.advance(1)
    assert await asyncio.wait_for(sleeper, 2) is False
    assert context.now() == clock.now()


def test_attributes_are_a_read_only_snapshot():
    source = {"base_url": "http://127.0.0.1:1"}
    context = WorkerContext("toy", source)
    source["base_url"] = "changed"
    assert context.attributes["base_url"] == "http://127.0.0.1:1"
    with pytest.raises(TypeError):
        context.attributes["base_url"] = "x"  # type: ignore[index]


async def test_submitting_nothing_touches_nothing():
    context = WorkerContext("toy", {})
    assert await context.submit([]) == []
    assert context.submitted == 0


@pytest.mark.django_db(transaction=True)
async def test_health_reports_go_through_the_context():
    """Monitors report health details and degraded service through the context, never the store."""
    from asgiref.sync import sync_to_async

    from hi.integrations.enums import HealthStatus, IntegrationStatus
    from hi.integrations.models import Integration

    await sync_to_async(Integration.objects.create)(integration_id="toy", status=IntegrationStatus.ACTIVE)
    context = WorkerContext("toy", {})
    await context.set_detail("link", {"mode": "polling"})
    await context.report_success("fine")
    await context.report_warning("one source is stale")
    row = await sync_to_async(Integration.objects.get)(integration_id="toy")
    assert row.health_details == {"link": {"mode": "polling"}}
    assert (row.health_status, row.health_message) == (HealthStatus.WARNING, "one source is stale")
    await context.report_failure(RuntimeError("boom"))
    await context.report_failure(RuntimeError("boom"))
    await context.report_failure(RuntimeError("boom"))
    await context.report_warning("still stale")
    row = await sync_to_async(Integration.objects.get)(integration_id="toy")
    assert row.health_status == HealthStatus.ERROR, "a warning never softens an error"
