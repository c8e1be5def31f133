"""``/api/v1/stream`` over a real uvicorn on loopback: a committed state change arrives as an SSE event."""

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


def _read_event(lines: Iterator[str]) -> tuple[str, str]:
    event, data = "", ""
    for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data = line.split(":", 1)[1].strip()
        elif line == "" and event:
            return event, data
    raise AssertionError("stream ended without an event")


def test_a_state_change_arrives_as_one_state_event(server_url):
    light = make_light()
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
    assert set(payload) == {"entity_id", "state_id", "integration_keys", "value", "timestamp"}
    assert payload["entity_id"] == light.entity.id and payload["state_id"] == light.state.id
    assert "test_switch:light.kitchen.state" in payload["integration_keys"]
    assert payload["value"] == "on" and payload["timestamp"] == moment.isoformat()


def test_the_stream_sends_keepalive_comments(server_url):
    _, token = ApiToken.issue("stream", user=token_owner())
    with httpx.Client(timeout=10) as client, client.stream(
            "GET", f"{server_url}/api/v1/stream?keepalive=0.5",
            headers={"Authorization": f"Bearer {token}"}) as response:
        lines = response.iter_lines()
        assert ": keepalive" in [next(lines) for _ in range(4)]


def test_the_stream_refuses_strangers(server_url):
    response = httpx.get(f"{server_url}/api/v1/stream", timeout=10)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
