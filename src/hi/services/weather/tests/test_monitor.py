"""The monitor end to end: simulator → service → pipeline → states, history with sources, alert events, health."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from hi.apps.entity.models import EntityState
from hi.apps.event.models import Event
from hi.apps.monitor.context import WorkerContext
from hi.apps.sense.models import SensorHistory
from hi.integrations.models import Integration
from hi.services.weather.monitor import WeatherMonitor
from hi.services.weather.testing import clock, configure_and_sync, started  # noqa: F401 - clock: the manual one
from hi.simulator.weather import WeatherSimulator
from hi.utils.clock import ManualClock

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_thread_connections")]


def state_values() -> dict[str, Any]:
    return {s.state_key: s.value for s in EntityState.objects.filter(entity__integration_id="weather")}


def latest_details(state_key: str) -> dict[str, Any]:
    row = SensorHistory.objects.filter(sensor__entity_state__state_key=state_key,
                                       sensor__integration_id="weather").order_by("-id").first()
    assert row is not None
    return dict(row.details or {})


def alert_events() -> dict[str, Event]:
    return {e.correlation_id: e for e in Event.objects.exclude(correlation_id="")}


def integration() -> Integration:
    return Integration.objects.get(integration_id="weather")


async def test_a_poll_sets_every_value_and_history_remembers_its_source(sim: WeatherSimulator,
                                                                        manual: ManualClock) -> None:
    monitor, context = await started(sim, manual)
    await monitor.refresh(context)
    values = await sync_to_async(state_values)()
    assert isinstance(values["temperature"], float) and isinstance(values["conditions"], str)
    assert len(values["forecast_hourly"]) == 48 and {"time", "temperature"} <= set(values["forecast_hourly"][0])
    assert values["freshness"] == "current" and values["alerts"] == []
    assert values["provenance"]["temperature"]["source"] == "nws"
    assert values["provenance"]["sunrise"]["source"] == "sunrise_sunset"
    details = await sync_to_async(latest_details)("temperature")
    assert details["source"] == "nws" and details["stale"] is False
    await monitor.stop()


async def test_alerts_open_events_while_active_and_close_them_when_gone_or_expired(sim: WeatherSimulator,
                                                                                   manual: ManualClock) -> None:
    monitor, context = await started(sim, manual)
    now = manual.now()
    warning = sim.add_alert("Tornado Warning", severity="Extreme", urgency="Immediate",
                            expires=now + dt.timedelta(hours=1))
    advisory = sim.add_alert("Frost Advisory", severity="Minor", urgency="Expected",
                             expires=now + dt.timedelta(minutes=30))
    await monitor.refresh(context)
    events = await sync_to_async(alert_events)()
    assert set(events) == {warning.id, advisory.id}
    assert events[warning.id].details["alarm"] is True and events[warning.id].value == "Tornado Warning"
    assert events[advisory.id].details["alarm"] is False and events[advisory.id].end is None

    manual.advance(180)
    await monitor.refresh(context)  # still active: nothing new, nothing closed
    assert all(e.end is None for e in (await sync_to_async(alert_events)()).values())

    sim.clear_alert(warning.id)
    manual.advance(180)
    await monitor.refresh(context)
    events = await sync_to_async(alert_events)()
    assert events[warning.id].end is not None and events[advisory.id].end is None
    assert [a["id"] for a in (await sync_to_async(state_values)())["alerts"]] == [advisory.id]

    sim.fail("nws", 503)  # NWS cannot tell us any more, but the advisory's expiry is known
    manual.advance(31 * 60)
    await monitor.refresh(context)
    ended = (await sync_to_async(alert_events)())[advisory.id]
    assert ended.end == advisory.expires and ended.details["ended"] == "expired"
    await monitor.stop()


async def test_moderate_and_immediate_is_alarm_level(sim: WeatherSimulator, manual: ManualClock) -> None:
    monitor, context = await started(sim, manual)
    alert = sim.add_alert("Flood Warning", severity="Moderate", urgency="Immediate",
                          expires=manual.now() + dt.timedelta(hours=2))
    await monitor.refresh(context)
    assert (await sync_to_async(alert_events)())[alert.id].details["level"] == "alarm"
    await monitor.stop()


async def test_the_running_monitor_reports_which_source_serves(sim: WeatherSimulator, manual: ManualClock) -> None:
    attributes = sim.integration_attributes()
    await sync_to_async(configure_and_sync)(attributes)
    context = WorkerContext("weather", attributes, clock=manual)
    task = asyncio.create_task(WeatherMonitor().run(context))
    try:
        await manual.wait_for_sleepers(1)
        row = await sync_to_async(integration)()
        assert (row.health_status, row.health_message) == ("healthy", "serving from nws")
        assert row.health_details["weather"]["serving"] == "nws"

        sim.fail("nws", 503)
        manual.advance(360)
        await manual.wait_for_sleepers(2)
        row = await sync_to_async(integration)()
        assert row.health_status == "warning" and row.health_message.startswith("serving from openmeteo")
        assert row.health_details["weather"]["sources"]["nws"]["state"] == "failing"
        values = await sync_to_async(state_values)()
        assert values["provenance"]["temperature"]["source"] == "openmeteo"

        for name in ("openmeteo", "sunrise_sunset"):
            sim.fail(name, 503)
        manual.advance(13 * 3600)
        await manual.wait_for_sleepers(3)
        row = await sync_to_async(integration)()
        assert row.health_status in {"warning", "error"} and "every weather source is failing" in row.health_message
        values = await sync_to_async(state_values)()
        assert values["freshness"] == "stale" and values["provenance"]["temperature"]["stale"] is True
    finally:
        context.stop_event.set()
        await asyncio.wait_for(task, 10)


async def test_the_sources_are_asked_with_the_configured_timeouts(sim: WeatherSimulator, manual: ManualClock,
                                                                  settings: Any) -> None:
    from hi.integrations.client import Timeouts

    settings.HI_HTTP_CONNECT_TIMEOUT, settings.HI_HTTP_READ_TIMEOUT = 1.5, 4.0
    monitor, _context = await started(sim, manual)
    assert monitor.service is not None
    for transport in monitor.service.transports.values():
        assert transport.client_for(sim.url).timeouts == Timeouts(connect=1.5, read=4.0)
    await monitor.stop()
