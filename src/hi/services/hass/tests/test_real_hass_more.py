"""Against a real Home Assistant demo (opt-in, ``scripts/real-hass.sh``): weather forecasts pushed over
``weather/subscribe_forecast``, a siren turned on with a tone, presence and its place, an ``image.*``
picture through the proxy. Each part asserts on what the demo has and says what it found."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from hi.apps.access.testing import make_user
from hi.apps.control.dispatch import dispatch_control
from hi.apps.control.models import ControlOutcome
from hi.apps.entity.models import EntityState
from hi.apps.monitor.context import WorkerContext
from hi.integrations.models import Integration
from hi.integrations.sync.engine import run_sync
from hi.services.hass.monitors import HassMonitor

from .test_real_hass import _configure, attributes  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.realsystem,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(os.environ.get("HI_REAL_HASS") != "1", reason="set HI_REAL_HASS=1 (scripts/real-hass.sh)"),
]


def _states(prefix: str) -> list[EntityState]:
    return list(EntityState.objects.filter(entity__integration_id="hass", state_key__startswith=prefix)
                .order_by("state_key"))


async def _until(check: Any, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await sync_to_async(check)()
        if result:
            return result
        await asyncio.sleep(0.2)
    raise AssertionError("not in time")


async def _forecasts(attrs: dict[str, str]) -> dict[str, int]:
    monitor = HassMonitor(registry_settle=0.2)
    context = WorkerContext("hass", attrs)
    task = asyncio.create_task(monitor.run(context))
    try:
        def filled() -> dict[str, int] | None:
            rows = [s for s in _states("weather.") if s.state_key.endswith(("#forecast_daily", "#forecast_hourly"))]
            counts = {s.state_key: len(s.value) for s in rows if isinstance(s.value, list) and s.value}
            return counts if rows and len(counts) == len(rows) else None
        return await _until(filled)
    finally:
        context.stop_event.set()
        await asyncio.wait_for(task, 15)


def test_forecasts_sirens_presence_and_images(attributes: dict[str, str]) -> None:  # noqa: F811
    _configure({**attributes, "import_allowlist": ""})
    run_sync("hass")
    Integration.objects.filter(integration_id="hass").update(needs_sync=False)

    counts = asyncio.run(_forecasts(attributes))
    print(f"\nreal HA forecasts: {counts}")
    assert counts and all(n > 0 for n in counts.values())

    tones = [s for s in _states("siren.") if s.state_key.endswith("#tone") and s.value_range]
    print(f"real HA sirens with tones: {[s.state_key for s in tones]}")
    if tones:
        siren = tones[0].state_key.partition("#")[0]
        assert dispatch_control(f"hass:{tones[0].state_key}", tones[0].value_range[-1],
                                requested_by="real").outcome == ControlOutcome.CONFIRMED
        record = dispatch_control(f"hass:{siren}", "on", requested_by="real")
        assert record.outcome in (ControlOutcome.CONFIRMED, ControlOutcome.SENT), record.message
        dispatch_control(f"hass:{siren}", "off", requested_by="real")

    people = {s.state_key: s.value for s in _states("person.") + _states("device_tracker.")
              if s.state_key.partition("#")[2] in ("", "zone")}
    print(f"real HA presence: {people}")
    for key, value in people.items():
        if "#" not in key:
            assert value in ("home", "not_home", "unknown", "unavailable"), (key, value)

    images = [s.state_key for s in _states("image.") if "#" not in s.state_key]
    print(f"real HA images: {images}")
    if images:
        client = Client()
        client.force_login(make_user("real", role="viewer"))
        response = client.get(f"/hass/images/{images[0]}")
        assert response.status_code == 200, response.status_code
        assert response["Content-Type"].startswith("image/") and attributes["api_token"].encode() not in response.content
