"""Import and refresh through the framework's sync engine, and the gateway's connection test."""

from __future__ import annotations

import socket

import pytest
from aiohttp import web

from hi.apps.control.models import Controller
from hi.apps.entity.models import Entity, EntityState
from hi.apps.sense.models import Sensor
from hi.integrations.sync.engine import run_sync
from hi.services.hass.integration import HassGateway
from hi.services.hass.testing import configure
from hi.simulator.base import SimulatorBase
from hi.simulator.hass import HassSimulator

pytestmark = pytest.mark.django_db


def test_import_creates_grouped_entities_with_states_sensors_and_controllers(threaded_sim: HassSimulator) -> None:
    configure(threaded_sim)
    report = run_sync("hass")
    assert report.applied
    kitchen = Entity.objects.get(integration_id="hass", integration_name="light.kitchen")
    states = {s.state_key: s for s in kitchen.states.all()}
    assert states["light.kitchen#brightness"].value == 71
    assert states["light.kitchen#brightness"].units == "%"
    assert Controller.objects.filter(entity_state=states["light.kitchen#hue"]).exists()
    motion = Entity.objects.get(integration_name="binary_sensor.kitchen_motion")
    assert {s.state_key for s in motion.states.all()} == {
        "binary_sensor.kitchen_motion", "binary_sensor.kitchen_motion_low_battery",
        "sensor.kitchen_motion_battery", "sensor.kitchen_motion_illuminance"}
    soil = EntityState.objects.get(state_key="sensor.garden_soil")
    assert soil.value == "unknown"
    assert Sensor.objects.filter(integration_id="hass").count() == EntityState.objects.filter(
        entity__integration_id="hass").count()


def test_second_sync_plans_nothing_and_changes_in_ha_show_up(threaded_sim: HassSimulator) -> None:
    configure(threaded_sim)
    run_sync("hass")
    again = run_sync("hass", dry_run=True)
    assert again.plan.is_empty
    threaded_sim.add_entity("switch.new_heater", "off", {"friendly_name": "New Heater"})
    threaded_sim.remove_entity("light.porch")
    run_sync("hass")
    assert Entity.objects.filter(integration_name="switch.new_heater", name="New Heater").exists()
    assert not Entity.objects.filter(integration_id="hass", integration_name="light.porch").exists()


def test_allowlist_is_respected(threaded_sim: HassSimulator) -> None:
    configure(threaded_sim, allowlist="light\nbinary_sensor:motion")
    run_sync("hass")
    names = set(Entity.objects.filter(integration_id="hass").values_list("integration_name", flat=True))
    assert "light.kitchen" in names and "binary_sensor.kitchen_motion" in names
    assert not {n for n in names if n.split(".")[0] not in ("light", "binary_sensor")}
    assert "binary_sensor.front_door_contact" not in names


def test_connection_test_says_what_is_wrong(threaded_sim: HassSimulator) -> None:
    gateway = HassGateway()
    ok = gateway.test_connection(threaded_sim.integration_attributes(), timeout=5)
    assert ok.ok and "Home Assistant 2026.11.0" in ok.message
    wrong = gateway.test_connection({"base_url": threaded_sim.url, "api_token": "nope-nope"}, timeout=5)
    assert not wrong.ok and wrong.message.startswith("wrong token")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    unreachable = gateway.test_connection({"base_url": f"http://127.0.0.1:{free_port}", "api_token": "x" * 10},
                                          timeout=2)
    assert not unreachable.ok and unreachable.message.startswith(f"cannot reach 127.0.0.1:{free_port}")
    assert "x" * 10 not in unreachable.message


class NotHomeAssistant(SimulatorBase):
    """Some other web server on the configured port."""

    def setup_routes(self, app: web.Application) -> None:
        async def login_page(request: web.Request) -> web.Response:
            return web.Response(text="<html>router login</html>", content_type="text/html")

        app.router.add_get("/api/", login_page)


def test_connection_test_recognises_a_server_that_is_not_home_assistant() -> None:
    other = NotHomeAssistant()
    with other.running_in_thread():
        result = HassGateway().test_connection({"base_url": other.url, "api_token": "abcdef"}, timeout=2)
    assert not result.ok and result.message == f"127.0.0.1:{other.port} is not a Home Assistant server"


def test_configuration_validation_has_a_default_allowlist() -> None:
    cleaned = HassGateway().validate_configuration({"base_url": "http://ha.local:8123/", "api_token": "t0ken"})
    assert cleaned["base_url"] == "http://ha.local:8123"
    assert cleaned["import_allowlist"] == "" and cleaned["import_hidden"] == "false"  # empty: every mapped domain
