"""Import: one server entity and one camera per monitor, with proxy URLs and never a ZoneMinder token."""

from __future__ import annotations

import json

import pytest

from hi.apps.control.models import Controller
from hi.apps.entity.models import Entity, EntityAttribute
from hi.apps.sense.models import Sensor
from hi.integrations.sync.engine import run_sync

from .conftest import configure

pytestmark = pytest.mark.django_db


def test_import_creates_server_and_cameras_with_states_sensors_and_controllers(threaded_sim):
    configure(threaded_sim)
    run_sync("zoneminder")
    server = Entity.objects.get(integration_id="zoneminder", integration_name="server")
    assert server.entity_type == "server"
    run_state = server.states.get(state_key="run_state")
    assert run_state.value == "default" and run_state.value_range == ["default", "Away", "Home", "stop"]
    cameras = Entity.objects.filter(integration_id="zoneminder", entity_type="camera").order_by("integration_name")
    assert [c.name for c in cameras] == ["Front Door", "Driveway", "Back Yard", "Garage"]
    garage = cameras.get(integration_name="monitor.4")
    states = {s.state_key: s for s in garage.states.all()}
    assert states["movement"].state_type == "movement"
    assert states["function"].value == "Monitor"
    assert states["function"].value_range == ["None", "Monitor", "Modect", "Record", "Mocord", "Nodect"]
    assert states["connection"].state_type == "connectivity" and states["connection"].value == "connected"
    assert Controller.objects.filter(integration_name="monitor.4.function").exists()
    assert not Controller.objects.filter(integration_name="monitor.4.movement").exists()
    assert Sensor.objects.filter(integration_id="zoneminder").count() == 1 + 4 * 3


def test_stream_and_snapshot_urls_point_at_our_proxy_and_hold_no_secret(threaded_sim):
    configure(threaded_sim)
    run_sync("zoneminder")
    urls = dict(EntityAttribute.objects.filter(entity__integration_name="monitor.2").values_list("name", "value"))
    assert urls["Live stream"] == "/zoneminder/monitors/2/stream"
    assert urls["Snapshot"] == "/zoneminder/monitors/2/snapshot.jpg"
    stored = json.dumps(list(Entity.objects.values("integration_payload")))
    stored += json.dumps(list(EntityAttribute.objects.values("value")))
    assert "token" not in stored and threaded_sim.password not in stored and "nph-zms" not in stored


def test_a_second_sync_changes_nothing_and_a_removed_monitor_is_detached(threaded_sim):
    configure(threaded_sim)
    run_sync("zoneminder")
    again = run_sync("zoneminder")
    assert not any(again.plan.counts.values())
    del threaded_sim.state.monitors[3]
    run_sync("zoneminder")
    back_yard = Entity.objects.get(name="Back Yard")
    assert back_yard.integration_key is None and back_yard.detached_key == "zoneminder:monitor.3"


def test_connection_test_reports_version_and_a_refused_login_plainly(threaded_sim):
    from hi.services.zoneminder.integration import ZoneMinderGateway

    gateway = ZoneMinderGateway()
    attributes = gateway.validate_configuration(threaded_sim.integration_attributes())
    result = gateway.test_connection(attributes, timeout=5)
    assert result.ok and "1.36.33" in result.message and result.details["monitors"] == 4
    refused = gateway.test_connection({**attributes, "password": "not-the-password"}, timeout=5)
    assert not refused.ok and "user name or password" in refused.message
    assert "not-the-password" not in refused.message
