"""A tiny test-only integration for the web tests: declared attributes, a fixed inventory, a controller.

Kept here (not shared) so the web tests read on their own: the right token is ``right-token``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hi.apps.control.integration_controller import ControlResult, IntegrationController
from hi.apps.entity.enums import EntityStateType, EntityType
from hi.integrations.attributes import AttributeSpec
from hi.integrations.enums import AttributeType
from hi.integrations.exceptions import AuthenticationError
from hi.integrations.integration_gateway import (
    ConnectionTestResult,
    IntegrationGateway,
    IntegrationSynchronizer,
)
from hi.integrations.keys import IntegrationKey
from hi.integrations.sync.inventory import (
    ExternalController,
    ExternalEntity,
    ExternalSensor,
    ExternalState,
    Inventory,
)

TOY_ID = "webtoy"
RIGHT_TOKEN = "right-token"


def key(name: str) -> IntegrationKey:
    return IntegrationKey(TOY_ID, name)


class ToySynchronizer(IntegrationSynchronizer):
    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        lamp = ExternalEntity(key=key("light.lamp"), name="Lamp", entity_type=EntityType.LIGHT, states=(
            ExternalState("power", "Power", EntityStateType.ON_OFF, sensor=ExternalSensor(key("light.lamp"), "Lamp"),
                          controller=ExternalController(key("light.lamp"), "Lamp"), value="off"),))
        thermo = ExternalEntity(key=key("sensor.hall"), name="Hall thermometer", entity_type=EntityType.SENSOR,
                                states=(ExternalState("temperature", "Temperature", EntityStateType.TEMPERATURE,
                                                      units="°C", sensor=ExternalSensor(key("sensor.hall"), "Hall"),
                                                      value=21.5),))
        return Inventory(TOY_ID, (lamp, thermo))


class ToyController(IntegrationController):
    sent: list[tuple[str, Any]] = []

    def do_control(self, controller: Any, value: Any) -> ControlResult:
        self.sent.append((controller.integration_name, value))
        return ControlResult(ok=True, message="sent")


class ToyGateway(IntegrationGateway):
    integration_id = TOY_ID
    label = "Web toy"
    description = "A pretend system for the web tests."
    attribute_specs = (
        AttributeSpec("base_url", "Address", AttributeType.URL, help_text="where the toy listens"),
        AttributeSpec("api_token", "Token", AttributeType.SECRET, help_text="from the toy's settings"),
        AttributeSpec("poll_seconds", "Poll every", AttributeType.INTEGER, required=False, default="30",
                      min_value=1, max_value=3600),
    )

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        if attributes.get("api_token") != RIGHT_TOKEN:
            raise AuthenticationError("wrong token: the toy refused it")
        return ConnectionTestResult(ok=True, message="toy 1.0 answered")

    def get_synchronizer(self) -> IntegrationSynchronizer:
        return ToySynchronizer()

    def get_controller(self) -> IntegrationController:
        return ToyController()
