"""An HA event entity's every fire becomes one hi Event carrying its event type and attributes."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import sync_to_async

from hi.apps.event.models import Event
from hi.apps.sense.pipeline import get_pipeline
from hi.integrations.sync.engine import run_sync
from hi.services.hass.client import HassState
from hi.services.hass.hass_converter import responses_for
from hi.services.hass.testing import configure
from hi.simulator.hass import HassSimulator

from .test_monitor import Live, eventually

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def _events() -> list[Event]:
    return list(Event.objects.filter(entity_state__state_key="event.doorbell_button").order_by("start"))


async def test_each_fire_is_one_event_with_its_type_and_attributes(sim: HassSimulator) -> None:
    await sync_to_async(configure)(sim)
    await sync_to_async(run_sync)("hass")
    running = await Live(sim).start()
    try:
        for event_type, extra in (("pressed", {"button": "front"}), ("double_pressed", {})):
            fired = dt.datetime.now(dt.UTC).isoformat()  # HA's state is the time of the fire
            sim.set_state("event.doorbell_button", fired, {"event_type": event_type, **extra})
        events = await eventually(lambda: _two(_events()))
        assert [e.value for e in events] == ["pressed", "double_pressed"]
        assert events[0].details["button"] == "front" and events[0].duration_seconds == 0
        # a resync or a poll lists the last fire again: that is not a new Event
        again = responses_for(HassState.model_validate(sim.state_of("event.doorbell_button")))
        await sync_to_async(get_pipeline().process)(again)
        assert len(await _events()) == 2
    finally:
        await running.stop()


async def _two(events_awaitable: object) -> list[Event] | None:
    events = await events_awaitable  # type: ignore[misc]
    return events if len(events) >= 2 else None
