"""The live feed turns each committed state change into a ready-to-swap badge for that state."""

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from hi.apps.entity.models import EntityState
from hi.apps.sense.live.bus import StateChange, get_live_bus
from hi.apps.web.views.live import _events, render_state_events

from .homedata import build_home


@pytest.mark.django_db
def test_render_state_events_names_each_state():
    build_home(2)
    state = EntityState.objects.get(state_key="temperature")
    text = render_state_events([state.id])
    assert text.startswith(f"event: state-{state.id}\ndata: ")
    assert "20.5 °C" in text and text.endswith("\n\n")


@pytest.mark.django_db(transaction=True)
async def test_stream_sends_a_badge_when_the_bus_publishes():
    await sync_to_async(build_home)(2)
    state = await EntityState.objects.aget(state_key="power")
    state.value = "off"
    await state.asave()
    stream = _events(keepalive=5.0)
    assert "connected" in await anext(stream)
    get_live_bus().publish([StateChange(state.entity_id, state.id, (), "off", "on", timezone.now())])
    message = await anext(stream)
    await stream.aclose()
    assert f"event: state-{state.id}" in message and "Off" in message


@pytest.mark.django_db(transaction=True)
async def test_a_reader_that_fell_behind_is_told_to_resync():
    stream = _events(keepalive=5.0)
    await anext(stream)
    flood = [StateChange(1, 1, (), n, None, timezone.now()) for n in range(1001)]  # more than the queue holds
    get_live_bus().publish(flood)
    message = await anext(stream)
    await stream.aclose()
    assert message.startswith("event: resync")
