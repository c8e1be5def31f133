"""The gateway (connection test, health) and the monitor (reachability probe, hourly refresh sync)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from hi.apps.entity.models import Entity, EntityState
from hi.apps.monitor.context import WorkerContext
from hi.integrations.enums import HealthStatus
from hi.integrations.exceptions import IntegrationConnectionError
from hi.integrations.models import Integration
from hi.services.homebox.integration import HomeBoxGateway
from hi.services.homebox.monitors import HomeBoxMonitor
from hi.simulator.homebox import API_KEY, HomeBoxSimulator
from hi.utils.clock import ManualClock

from .conftest import configure


def test_the_connection_test_names_version_generation_and_collection(sim):
    result = HomeBoxGateway().test_connection(sim.integration_attributes(), timeout=5)
    generation = "entities" if sim.state.entities_api else "items"
    assert result.ok and f"HomeBox {sim.version} ({generation} API), collection Home" == result.message


def test_the_connection_test_reports_a_refused_password_and_an_unreachable_server(sim):
    refused = HomeBoxGateway().test_connection({**sim.integration_attributes(), "password": "not-the-password-17"}, timeout=5)
    assert not refused.ok and "refused the user name or password" in refused.message
    assert "not-the-password-17" not in refused.message
    gone = HomeBoxGateway().test_connection({"api_url": "http://127.0.0.1:9", "api_key": API_KEY}, timeout=2)
    assert not gone.ok and "connect" in gone.message
    missing = HomeBoxGateway().test_connection({"api_url": sim.url}, timeout=2)
    assert not missing.ok and "API key, or a user name and a password" in missing.message


def test_health_shows_login_state_token_expiry_and_a_refusal():
    sim = HomeBoxSimulator("demo")
    with sim.running_in_thread():
        gateway = HomeBoxGateway()
        assert gateway.test_connection(sim.integration_attributes(), timeout=5).ok
        login = gateway.health().details["login"]
        assert login["logged_in"] and login["last_login"] == "ok" and login["auth_method"] == "password"
        expires = dt.datetime.fromisoformat(login["token_expires_at"])
        assert dt.timedelta(days=27) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=28)
        gateway.test_connection({**sim.integration_attributes(), "password": "not-the-password-17"}, timeout=5)
        report = gateway.health()
        assert report.status == HealthStatus.ERROR and "refused" in report.message


def test_health_shows_a_login_rate_limit():
    sim = HomeBoxSimulator("demo")
    with sim.running_in_thread():
        for _ in range(7):
            sim.state.record_login("127.0.0.1|/api/v1/users/login", success=False)
        result = HomeBoxGateway().test_connection(sim.integration_attributes(), timeout=5)
        assert not result.ok and "limits login attempts" in result.message
        report = HomeBoxGateway().health()
        assert report.status == HealthStatus.WARNING and report.details["login"]["login_blocked_until"]


# -- the monitor --------------------------------------------------------------------------------
@pytest.fixture
async def close_thread_connections() -> Any:
    yield
    close = lambda: connection.close()  # noqa: E731 - resolve ``connection`` in the thread that closes it
    await sync_to_async(close)()


@pytest.mark.django_db(transaction=True)
async def test_the_monitor_probes_reachability_and_refreshes_on_its_interval(close_thread_connections):
    sim = HomeBoxSimulator("demo")
    await sim.start()
    try:
        await sync_to_async(configure)(sim, refresh_interval="3600")
        manual = ManualClock(start=dt.datetime.now(dt.UTC))  # the demo warranties are relative to today
        context = WorkerContext("homebox", {**sim.integration_attributes(), "refresh_interval": "3600"},
                                clock=manual)
        monitor = HomeBoxMonitor()
        await monitor.poll(context)
        assert await sync_to_async(Entity.objects.filter(integration_id="homebox").count)() == 9
        details = (await sync_to_async(Integration.objects.get)(integration_id="homebox")).health_details
        assert details["homebox"]["reachable"] is True and details["homebox"]["logged_in"] is True
        assert details["homebox"]["version"] == "v0.26.2" and details["homebox"]["token_expires_at"]
        ending = await sync_to_async(EntityState.objects.get)(state_key="ending_soon")
        assert ending.value == 1 and ending.value_updated_at is not None  # the monitor's count went through the pipeline
        lists = sim.api.requests.get("GET /api/v1/entities", 0)
        manual.advance(300)
        await monitor.poll(context)  # five minutes later: a probe, no sync
        assert sim.api.requests.get("GET /api/v1/entities", 0) == lists
        manual.advance(3600)
        await monitor.poll(context)  # an hour later: a refresh
        assert sim.api.requests["GET /api/v1/entities"] == lists + 1
        await sim.stop_listening()
        with pytest.raises(IntegrationConnectionError):  # PeriodicMonitor.run records it as a failure
            await monitor.poll(context)
        details = (await sync_to_async(Integration.objects.get)(integration_id="homebox")).health_details
        assert details["homebox"]["reachable"] is False
    finally:
        await sim.stop()
        await asyncio.sleep(0)
