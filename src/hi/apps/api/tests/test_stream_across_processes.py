"""``/api/v1/stream`` when the worker is another process: its committed changes arrive, this process's once."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from django.db import connection

from hi.apps.access.testing import token_owner
from hi.apps.api.models import ApiToken
from hi.apps.sense.live import feed as live_feed
from hi.apps.sense.live.bridge import get_live_bridge
from hi.apps.sense.pipeline import get_pipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

from .factories import make_light

pytestmark = pytest.mark.django_db(transaction=True)

MOMENT = dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)
_WRITER = """
import datetime as dt, sys, django
django.setup()
from hi.apps.sense.pipeline import get_pipeline
from hi.integrations.sensor_response import SensorResponse
from hi.integrations.keys import IntegrationKey
changes = get_pipeline().process([SensorResponse(IntegrationKey("test_switch", "light.kitchen.state"), sys.argv[1],
                                                 dt.datetime.fromisoformat(sys.argv[2]))])
print(len(changes))
"""


def _database_url() -> str:
    """The test database, as a URL another process can open."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    password = f":{quote(settings['PASSWORD'], safe='')}" if settings.get("PASSWORD") else ""
    return (f"postgres://{quote(settings['USER'], safe='')}{password}@{settings['HOST']}:{settings['PORT']}/"
            f"{settings['NAME']}")


def _process_in_another_process(value: str) -> None:
    env = os.environ | {"DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "hi.settings.test"}
    result = subprocess.run([sys.executable, "-c", _WRITER, value, MOMENT.isoformat()], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


def _next_message(lines: Iterator[str]) -> tuple[str, str]:
    """The next SSE message: (event, data) for an event, ("comment", text) for a keepalive or greeting;
    ``health`` events (the integrations' picture when the stream opens) are passed over."""
    event, data = "", ""
    for line in lines:
        if line.startswith(":") and not event:
            return "comment", line[1:].strip()
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data = line.split(":", 1)[1].strip()
        elif line == "" and event == "health":
            event, data = "", ""
        elif line == "" and event:
            return event, data
    raise AssertionError("stream ended without a message")


def _wait_until_bridge_passed(row_id: int, deadline: float = 10.0) -> None:
    """The bridge runs on the server's loop in another thread: poll its cursor (nothing to await here)."""
    give_up = time.monotonic() + deadline
    while get_live_bridge().cursor < row_id:
        assert time.monotonic() < give_up, "the live bridge never reached the newest row"
        time.sleep(0.02)


def _open_stream(client: httpx.Client, server_url: str, token: str):
    return client.stream("GET", f"{server_url}/api/v1/stream?keepalive=0.5",
                         headers={"Authorization": f"Bearer {token}"})


def test_a_change_committed_by_another_process_arrives_on_the_stream(server_url):
    light = make_light()
    _, token = ApiToken.issue("stream", user=token_owner())
    with httpx.Client(timeout=30) as client, _open_stream(client, server_url, token) as response:
        lines = response.iter_lines()
        assert _next_message(lines) == ("comment", "connected")  # the bridge is at the tail by now
        _process_in_another_process("on")
        messages = [_next_message(lines)]
        while messages[-1][0] == "comment" and len(messages) < 40:  # keepalives every 0.5 s until it comes
            messages.append(_next_message(lines))
    event, data = messages[-1]
    assert event == "state"
    payload = json.loads(data)
    assert payload["state_id"] == light.state.id and payload["value"] == "on"
    assert payload["timestamp"] == MOMENT.isoformat()


def test_a_change_made_in_this_process_arrives_exactly_once(server_url):
    light = make_light()
    _, token = ApiToken.issue("stream", user=token_owner())
    with httpx.Client(timeout=30) as client, _open_stream(client, server_url, token) as response:
        lines = response.iter_lines()
        assert _next_message(lines) == ("comment", "connected")
        get_pipeline().process([SensorResponse(IntegrationKey("test_switch", "light.kitchen.state"), "on", MOMENT)])
        event, data = _next_message(lines)
        assert event == "state" and json.loads(data)["state_id"] == light.state.id
        _wait_until_bridge_passed(live_feed.tail_id())
        # a republished copy would already be queued ahead of the next keepalive
        assert _next_message(lines) == ("comment", "keepalive")
