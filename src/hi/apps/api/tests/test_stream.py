"""``/api/v1/stream`` over a real uvicorn on loopback: committed state changes and health changes arrive as SSE events."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import httpx
import pytest

from hi.apps.access.testing import token_owner
from hi.apps.api.models import ApiToken
from hi.apps.sense.pipeline import get_pipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

from .factories import make_light

pytestmark = pytest.mark.django_db(transaction=True)


def _read_event(lines: Iterator[str], skip: tuple[str, ...] = ("health",)) -> tuple[str, str]:
    """The next event whose name is not in ``skip`` (the opening ``health`` picture, unless asked for)."""
    event, data = "", ""
    for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data = line.split(":", 1)[1].strip()
        elif line == "" and event:
            if event not in skip:
                return event, data
            event, data = "", ""
    raise AssertionError("stream ended without an event")


def _healthy() -> None:
    """The light's integration confirmed values just now, so its states are current (not stale)."""
    from django.utils import timezone

    from hi.integrations.enums import HealthStatus
    from hi.integrations.models import Integration

    now = timezone.now()
    Integration.objects.filter(integration_id="test_switch").update(
        health_status=HealthStatus.HEALTHY, last_success_at=now, heartbeat_at=now)


@pytest.fixture
def token() -> str:
    return ApiToken.issue("stream", user=token_owner())[1]


def test_a_state_change_arrives_as_one_state_event(server_url):
    light = make_light()
    _healthy()
    _, token = ApiToken.issue("stream", user=token_owner())
    with httpx.Client(timeout=10) as client, client.stream(
            "GET", f"{server_url}/api/v1/stream", headers={"Authorization": f"Bearer {token}"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.iter_lines()
        assert any(line == ": connected" for line in [next(lines), next(lines)])
        moment = dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)
        get_pipeline().process([SensorResponse(IntegrationKey("test_switch", "light.kitchen.state"), "on", moment)])
        event, data = _read_event(lines)
    assert event == "state"
    payload = json.loads(data)
    assert set(payload) == {"entity_id", "state_id", "integration_keys", "value", "timestamp",
                            "available", "stale", "unavailable_reason"}
    assert payload["entity_id"] == light.entity.id and payload["state_id"] == light.state.id
    assert "test_switch:light.kitchen.state" in payload["integration_keys"]
    assert payload["value"] == "on" and payload["timestamp"] == moment.isoformat()
    assert payload["available"] is True and payload["stale"] is False and payload["unavailable_reason"] is None


def test_the_stream_sends_keepalive_comments(server_url):
    _, token = ApiToken.issue("stream", user=token_owner())
    with httpx.Client(timeout=10) as client, client.stream(
            "GET", f"{server_url}/api/v1/stream?keepalive=0.5",
            headers={"Authorization": f"Bearer {token}"}) as response:
        lines = response.iter_lines()
        assert ": keepalive" in [next(lines) for _ in range(12)]


def test_the_stream_refuses_strangers(server_url):
    response = httpx.get(f"{server_url}/api/v1/stream", timeout=10)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def _open(client: httpx.Client, server_url: str, token: str):
    return client.stream("GET", f"{server_url}/api/v1/stream", headers={"Authorization": f"Bearer {token}"})


def _subscribed(response: httpx.Response) -> Iterator[str]:
    """The stream's lines once its ``connected`` preamble arrived: the stream is subscribed from then on (its
    headers can come first, and a change committed before the subscription is never sent)."""
    lines = response.iter_lines()
    for line in lines:
        if line == ": connected":
            return lines
    raise AssertionError("the stream ended before it was connected")


def test_a_value_the_source_calls_unavailable_arrives_marked_unavailable(server_url, token):
    light = make_light()
    _healthy()
    with httpx.Client(timeout=10) as client, _open(client, server_url, token) as response:
        lines = _subscribed(response)
        get_pipeline().process([SensorResponse(IntegrationKey("test_switch", "light.kitchen.state"), "unavailable",
                                               dt.datetime.now(dt.UTC))])
        event, data = _read_event(lines)
    payload = json.loads(data)
    assert event == "state" and payload["state_id"] == light.state.id
    assert payload["available"] is False and payload["stale"] is False
    assert "reports it unavailable" in payload["unavailable_reason"]


def test_health_events_open_the_stream_and_follow_each_change(server_url, token, monkeypatch):
    """An outage reaches an open stream within one health check, with no state change to carry it."""
    from django.utils import timezone

    from hi.apps.api import stream
    from hi.integrations.enums import HealthStatus
    from hi.integrations.models import Integration

    monkeypatch.setattr(stream, "HEALTH_CHECK_SECONDS", 0.1)
    make_light()
    now = timezone.now()
    Integration.objects.filter(integration_id="test_switch").update(
        health_status=HealthStatus.HEALTHY, last_success_at=now, heartbeat_at=now)
    with httpx.Client(timeout=10) as client, _open(client, server_url, token) as response:
        lines = _subscribed(response)
        event, data = _read_event(lines, skip=())
        opening = json.loads(data)
        assert event == "health" and opening["integration_id"] == "test_switch"
        assert opening["available"] is True and opening["health_status"] == "healthy"
        Integration.objects.filter(integration_id="test_switch").update(
            health_status=HealthStatus.ERROR, health_message="cannot connect to http://127.0.0.1:9/?token=s3cret",
            last_error_at=now)
        event, data = _read_event(lines, skip=())
    changed = json.loads(data)
    assert event == "health"
    assert set(changed) == {"integration_id", "label", "status", "health_status", "message", "available", "stale",
                            "unavailable_reason", "since"}
    assert changed["integration_id"] == "test_switch" and changed["health_status"] == "error"
    assert changed["available"] is False and "is unreachable since" in changed["unavailable_reason"]
    assert "s3cret" not in data
    assert changed["since"] == now.isoformat()


def test_a_sync_that_detaches_an_entity_sends_an_entity_event_and_a_later_one_reconnects_it(server_url, token,
                                                                                            lamp_gateway):
    """A lamp its integration no longer reports is detached by the sync (API): open streams hear of it at once."""
    from hi.apps.entity.models import Entity
    from hi.integrations.models import IntegrationAttribute

    from .factories import LAMPS_ID

    url = f"{server_url}/api/v1/integrations/{LAMPS_ID}"
    auth = {"Authorization": f"Bearer {token}"}
    values = {"values": {"base_url": "http://127.0.0.1:9", "api_token": "sekrit-token-123", "lamps": 3}}
    with httpx.Client(timeout=10, headers=auth) as client:
        assert client.post(f"{url}/configure", json=values).status_code == 200
        assert client.post(f"{url}/enable", json={}).status_code == 200
        assert client.post(f"{url}/sync", json={}).json()["counts"]["create"] == 3
        lamp = Entity.objects.get(integration_id=LAMPS_ID, integration_name="lamp.2")
        with _open(client, server_url, token) as response:
            lines = _subscribed(response)
            IntegrationAttribute.objects.filter(integration__integration_id=LAMPS_ID, key="lamps").update(value="2")
            assert client.post(f"{url}/sync", json={}).json()["counts"]["detach"] == 1
            event, data = _read_event(lines)
            detached = json.loads(data)
            IntegrationAttribute.objects.filter(integration__integration_id=LAMPS_ID, key="lamps").update(value="3")
            assert client.post(f"{url}/sync", json={}).json()["counts"]["reconnect"] == 1
            again, data = _read_event(lines)
            reconnected = json.loads(data)
    assert event == "entity" and again == "entity"
    assert set(detached) == {"entity_id", "name", "change", "key", "timestamp"}
    assert detached["entity_id"] == lamp.id and detached["name"] == "Lamp 2" and detached["change"] == "detached"
    assert detached["key"] == f"{LAMPS_ID}:lamp.2"
    assert dt.datetime.fromisoformat(detached["timestamp"]).tzinfo is not None
    assert (reconnected["entity_id"], reconnected["change"], reconnected["key"]) == (lamp.id, "reconnected",
                                                                                     f"{LAMPS_ID}:lamp.2")


def test_disabling_an_integration_sends_entity_events_for_what_it_detaches_and_removes(server_url, token, lamp_gateway):
    from hi.apps.entity.models import Entity

    from .factories import LAMPS_ID

    url = f"{server_url}/api/v1/integrations/{LAMPS_ID}"
    values = {"values": {"base_url": "http://127.0.0.1:9", "api_token": "sekrit-token-123", "lamps": 2}}
    with httpx.Client(timeout=10, headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.post(f"{url}/configure", json=values).status_code == 200
        assert client.post(f"{url}/enable", json={}).status_code == 200
        assert client.post(f"{url}/sync", json={}).json()["counts"]["create"] == 2
        kept = Entity.objects.get(integration_id=LAMPS_ID, integration_name="lamp.0")
        kept.mark_user_field("name")  # a person's change: 'safe' keeps it, detached
        kept.save()
        gone = Entity.objects.get(integration_id=LAMPS_ID, integration_name="lamp.1")
        with _open(client, server_url, token) as response:
            lines = _subscribed(response)
            assert client.post(f"{url}/disable", json={"mode": "safe"}).status_code == 200
            changes = {}
            while len(changes) < 2:
                event, data = _read_event(lines)
                if event == "entity":
                    payload = json.loads(data)
                    changes[payload["entity_id"]] = (payload["change"], payload["key"])
    assert changes == {kept.id: ("detached", f"{LAMPS_ID}:lamp.0"), gone.id: ("removed", f"{LAMPS_ID}:lamp.1")}
