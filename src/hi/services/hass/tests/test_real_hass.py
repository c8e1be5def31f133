"""End to end against a real Home Assistant core running its ``demo:`` integration (opt-in).

``scripts/real-hass.sh`` installs Home Assistant from PyPI, starts it, creates a token and runs this
file with ``HI_REAL_HASS=1 HI_REAL_HASS_URL=... HI_REAL_HASS_TOKEN=...``; otherwise it is skipped.
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from hi.apps.control.dispatch import dispatch_control
from hi.apps.control.models import Controller, ControlOutcome
from hi.apps.entity.models import Entity, EntityState
from hi.apps.monitor.context import WorkerContext
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration, IntegrationAttribute
from hi.integrations.sync.engine import run_sync
from hi.services.hass.client import HassRestClient
from hi.services.hass.integration import HassGateway
from hi.services.hass.monitors import HassMonitor

pytestmark = [
    pytest.mark.realsystem,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(os.environ.get("HI_REAL_HASS") != "1", reason="set HI_REAL_HASS=1 (scripts/real-hass.sh)"),
]


@pytest.fixture
def attributes() -> dict[str, str]:
    return {"base_url": os.environ["HI_REAL_HASS_URL"], "api_token": os.environ["HI_REAL_HASS_TOKEN"],
            "import_allowlist": ""}


def _configure(attributes: dict[str, str]) -> None:
    integration, _ = Integration.objects.update_or_create(
        integration_id="hass", defaults={"status": IntegrationStatus.ACTIVE, "config_version": 1})
    for key, value in attributes.items():
        IntegrationAttribute.objects.update_or_create(integration=integration, key=key, defaults={"value": value})


def _dimmable_light() -> str:
    """A demo light whose brightness we control (the demo ships several)."""
    controller = Controller.objects.filter(integration_id="hass", integration_name__startswith="light.",
                                           integration_name__endswith="#brightness").order_by("integration_name")
    first = controller.first()
    assert first is not None, "the demo has no dimmable light"
    return first.integration_name.partition("#")[0]


def test_connection_import_live_state_and_control(attributes: dict[str, str]) -> None:
    result = HassGateway().test_connection(attributes, timeout=10)
    assert result.ok, result.message

    _configure(attributes)
    report = run_sync("hass")
    assert report.applied
    entities = Entity.objects.filter(integration_id="hass")
    domains = {name.split(".")[0] for name in entities.values_list("integration_name", flat=True)}
    assert entities.count() >= 20 and {"light", "switch", "cover", "climate", "sensor"} <= domains
    assert run_sync("hass", dry_run=True).plan.is_empty

    light = _dimmable_light()
    record = dispatch_control(f"hass:{light}#brightness", 40, requested_by="e2e")
    assert record.outcome == ControlOutcome.CONFIRMED, record.message
    with HassRestClient(attributes["base_url"], attributes["api_token"]) as client:
        state = client.state(light)
    assert state is not None and round(state.attributes["brightness"] * 100 / 255) == 40

    for key, value in _more_controls():
        outcome = dispatch_control(f"hass:{key}", value, requested_by="e2e")
        assert outcome.outcome == ControlOutcome.CONFIRMED, (key, outcome.message)

    asyncio.run(_live(attributes, light))


def _more_controls() -> list[tuple[str, Any]]:
    """A switch, a lock and a thermostat of the demo, when present, each set to a value it does not have."""
    wanted: list[tuple[str, Any]] = []
    states = {s.state_key: s for s in EntityState.objects.filter(entity__integration_id="hass",
                                                                 controllers__isnull=False)}
    for key, state in sorted(states.items()):
        if key.startswith("switch.") and "#" not in key and state.value in ("on", "off"):
            wanted.append((key, "off" if state.value == "on" else "on"))
            break
    for key, state in sorted(states.items()):
        if key.startswith("lock.") and state.value in ("locked", "unlocked") and "poorly" not in key:
            wanted.append((key, "unlocked" if state.value == "locked" else "locked"))
            break
    for key, state in sorted(states.items()):
        if key.startswith("climate.") and key.endswith("#temperature") and isinstance(state.value, int | float):
            low = (state.value_range or {}).get("min", 7)
            wanted.append((key, max(low, state.value - 1)))
            break
    assert len(wanted) == 3, wanted
    return wanted


async def _live(attributes: dict[str, str], light: str) -> None:
    monitor = HassMonitor()
    context = WorkerContext("hass", attributes)
    task = asyncio.create_task(monitor.run(context))
    try:
        await _eventually(lambda: monitor.snapshots >= 1, 30)
        with HassRestClient(attributes["base_url"], attributes["api_token"]) as client:
            await asyncio.to_thread(client.call_service, "light", "turn_off", {"entity_id": light})
        await _eventually(lambda: _value(light), 10, expected="off")
        assert monitor.mode == "websocket"
    finally:
        context.stop_event.set()
        await asyncio.wait_for(task, 15)


async def _value(state_key: str) -> Any:
    return await sync_to_async(lambda: EntityState.objects.get(state_key=state_key).value)()


async def _eventually(check: Any, timeout: float, expected: Any = True) -> None:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result == expected or (expected is True and result):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not {expected!r} in time (last {result!r})")
        await asyncio.sleep(0.05)
