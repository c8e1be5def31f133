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
    assert (await anext(stream)).startswith("event: availability")
    get_live_bus().publish([StateChange(state.entity_id, state.id, (), "off", "on", timezone.now())])
    message = await anext(stream)
    await stream.aclose()
    assert f"event: state-{state.id}" in message and "Off" in message


@pytest.mark.django_db(transaction=True)
async def test_a_reader_that_fell_behind_is_told_to_resync():
    stream = _events(keepalive=5.0)
    await anext(stream)
    await anext(stream)  # the integrations' availability comes first
    flood = [StateChange(1, 1, (), n, None, timezone.now()) for n in range(1001)]  # more than the queue holds
    get_live_bus().publish(flood)
    message = await anext(stream)
    await stream.aclose()
    assert message.startswith("event: resync")


def _availability(message: str) -> dict:
    import json

    assert message.startswith("event: availability\ndata: ")
    return {i["integration_id"]: i for i in json.loads(message.split("data: ", 1)[1])["integrations"]}


@pytest.mark.django_db(transaction=True)
async def test_health_changes_are_pushed_without_a_state_change():
    from hi.integrations.enums import HealthStatus, IntegrationStatus
    from hi.integrations.models import Integration

    await Integration.objects.acreate(integration_id="hass", status=IntegrationStatus.ACTIVE,
                                      health_status=HealthStatus.HEALTHY, last_success_at=timezone.now(),
                                      heartbeat_at=timezone.now())
    stream = _events(keepalive=30.0, health_interval=0.05)
    await anext(stream)
    first = _availability(await anext(stream))
    assert first["hass"]["available"] is True and first["hass"]["badge"]["text"] == "Healthy"
    await Integration.objects.filter(integration_id="hass").aupdate(
        health_status=HealthStatus.ERROR, consecutive_failures=3,
        last_error="POST http://127.0.0.1:1/api/services/light/turn_on → 503: {\"message\": \"boom\"}")
    changed = _availability(await anext(stream))  # no keepalive for 30 s: this is the health check
    await stream.aclose()
    assert changed["hass"]["available"] is False
    assert changed["hass"]["unavailable_reason"].startswith("Home Assistant is unreachable since")
    assert changed["hass"]["message"] == "Home Assistant is not answering (server error 503)"
    assert changed["hass"]["badge"]["tone"] == "danger"


@pytest.mark.django_db(transaction=True)
async def test_entities_detached_in_one_commit_reach_the_page_as_one_entity_event():
    import json

    from django.db import transaction

    from hi.apps.entity.live import publish_entity_changes

    stream = _events(keepalive=5.0)
    await anext(stream)
    await anext(stream)  # the integrations' availability comes first

    def detach_two() -> None:
        with transaction.atomic():
            publish_entity_changes([(7, "Porch", "detached", "hass:light.porch"),
                                    (8, "Hall", "removed", "hass:light.hall")])

    await sync_to_async(detach_two)()
    message = await anext(stream)
    await stream.aclose()
    assert message.startswith("event: entity\ndata: ") and message.count("event:") == 1
    assert json.loads(message.split("data: ", 1)[1]) == {"entities": [
        {"entity_id": 7, "change": "detached", "name": "Porch"}, {"entity_id": 8, "change": "removed", "name": "Hall"}]}
