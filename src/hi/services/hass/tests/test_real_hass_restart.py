"""A real Home Assistant restarted under the live monitor: every change it makes once it answers again
is recorded once (opt-in; ``scripts/real-hass.sh`` sets ``HI_REAL_HASS_RESTART`` to a command that
stops Home Assistant, waits the given seconds and starts it again in the background)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import time

import pytest
from asgiref.sync import sync_to_async

from hi.apps.monitor.context import WorkerContext
from hi.apps.sense.models import SensorHistory
from hi.integrations.enums import IntegrationStatus
from hi.integrations.exceptions import IntegrationError
from hi.integrations.models import Integration, IntegrationAttribute
from hi.integrations.sync.engine import run_sync
from hi.services.hass.client import HassRestClient
from hi.services.hass.monitors import HassMonitor

pytestmark = [
    pytest.mark.realsystem,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("HI_REAL_HASS_RESTART"),
                       reason="set HI_REAL_HASS=1 and HI_REAL_HASS_RESTART (scripts/real-hass.sh)"),
]
LIGHT = "light.bed_light"


def _configure(attributes: dict[str, str]) -> None:
    integration, _ = Integration.objects.update_or_create(
        integration_id="hass", defaults={"status": IntegrationStatus.ACTIVE, "config_version": 1})
    for key, value in attributes.items():
        IntegrationAttribute.objects.update_or_create(integration=integration, key=key, defaults={"value": value})


def _answers(client: HassRestClient) -> bool:
    """HA answers and has loaded the light (its API is up before the demo's platforms are: a toggle then is
    refused with 400, by HA, not lost by us)."""
    try:
        client.api_status()
        return any(state.entity_id == LIGHT and state.state in ("on", "off") for state in client.states().states)
    except IntegrationError:
        return False


@sync_to_async
def _ours(since: dt.datetime) -> list[tuple[dt.datetime, str]]:
    rows = SensorHistory.objects.filter(sensor__integration_id="hass", sensor__integration_name=LIGHT,
                                        response_at__gt=since)
    return sorted(rows.values_list("response_at", "value"))


async def test_peer_restart_loses_no_change() -> None:
    attributes = {"base_url": os.environ["HI_REAL_HASS_URL"], "api_token": os.environ["HI_REAL_HASS_TOKEN"],
                  "import_allowlist": ""}
    await sync_to_async(_configure)(attributes)
    await sync_to_async(run_sync)("hass")
    monitor = HassMonitor()
    context = WorkerContext("hass", attributes)
    task = asyncio.create_task(monitor.run(context))
    client = HassRestClient(attributes["base_url"], attributes["api_token"], timeout=5.0)
    try:
        deadline = time.monotonic() + 60
        while not (monitor.snapshots >= 1 and monitor.mode == "websocket"):
            assert time.monotonic() < deadline, "the monitor did not connect"
            await asyncio.sleep(0.1)
        subprocess.run([*os.environ["HI_REAL_HASS_RESTART"].split(), "45"], check=True, timeout=120)
        deadline = time.monotonic() + 600
        while not await asyncio.to_thread(_answers, client):  # Home Assistant takes a while to start
            assert time.monotonic() < deadline, "Home Assistant did not come back"
            await asyncio.sleep(0.2)
        since = dt.datetime.now(dt.UTC)
        made: list[tuple[dt.datetime, str]] = []
        for _ in range(20):  # toggled every second from the moment it answers, as in the run
            for state in await asyncio.to_thread(client.call_service, "light", "toggle", {"entity_id": LIGHT}):
                if state.entity_id == LIGHT and state.last_updated is not None:
                    made.append((state.last_updated, state.state))
            await asyncio.sleep(1.0)
        deadline = time.monotonic() + 30
        while not set(made) <= set(await _ours(since)):
            assert time.monotonic() < deadline, f"lost: {sorted(set(made) - set(await _ours(since)))}"
            await asyncio.sleep(0.2)
        ours = await _ours(since)
        assert len(ours) == len(set(ours)), "duplicate history rows"
        print(f"peer restart: {len(made)} changes made after Home Assistant answered, all recorded once")
    finally:
        context.stop_event.set()
        await asyncio.wait_for(task, 30)
        client.close()
