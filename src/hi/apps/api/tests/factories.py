"""A tiny home for API and CLI tests: one switchable light of a test-only integration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from hi.apps.control.models import Controller
from hi.apps.entity.models import Entity, EntityState
from hi.apps.event.models import Event
from hi.apps.sense.models import Sensor
from hi.integrations.attributes import AttributeSpec
from hi.integrations.controller import ControlResult, IntegrationController
from hi.integrations.enums import AttributeType, IntegrationStatus
from hi.integrations.integration_gateway import (
    ConnectionTestResult,
    IntegrationGateway,
    IntegrationSynchronizer,
)
from hi.integrations.keys import IntegrationKey
from hi.integrations.models import Integration
from hi.integrations.sync.inventory import (
    ExternalController,
    ExternalEntity,
    ExternalSensor,
    ExternalState,
    Inventory,
)

INTEGRATION_ID = "test_switch"


class _Controller(IntegrationController):
    def __init__(self) -> None:
        self.requests: list[tuple[str, Any]] = []

    def do_control(self, controller: Controller, value: Any) -> ControlResult:
        self.requests.append((str(controller.integration_key), value))
        return ControlResult(ok=True, message="sent")


class SwitchGateway(IntegrationGateway):
    integration_id: ClassVar[str] = INTEGRATION_ID
    label: ClassVar[str] = "Test switches"

    def init_singleton(self) -> None:
        self.controller = _Controller()

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        return ConnectionTestResult(ok=True, message="ok")

    def get_controller(self) -> IntegrationController:
        return self.controller


@dataclass
class Light:
    entity: Entity
    state: EntityState
    sensor: Sensor
    controller: Controller


def make_light(name: str = "Kitchen light", object_id: str = "light.kitchen", value: str = "off") -> Light:
    Integration.objects.get_or_create(integration_id=INTEGRATION_ID, defaults={"status": IntegrationStatus.ACTIVE})
    entity = Entity.objects.create(name=name, entity_type="light", integration_id=INTEGRATION_ID,
                                   integration_name=object_id)
    state = EntityState.objects.create(entity=entity, state_key="on_off", name="Power", state_type="on_off",
                                       value=value, value_updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    sensor = Sensor.objects.create(entity_state=state, name=f"{name} sensor", integration_id=INTEGRATION_ID,
                                   integration_name=f"{object_id}.state")
    controller = Controller.objects.create(entity_state=state, name=f"{name} switch",
                                           integration_id=INTEGRATION_ID, integration_name=object_id)
    return Light(entity, state, sensor, controller)


def make_event(light: Light, start: dt.datetime, seconds: float | None = 30.0) -> Event:
    end = start + dt.timedelta(seconds=seconds) if seconds is not None else None
    return Event.objects.create(entity=light.entity, entity_state=light.state, sensor=light.sensor, value="on",
                                start=start, end=end, duration_seconds=seconds, details={"why": "test"})


LAMPS_ID = "test_lamps"


class _LampSynchronizer(IntegrationSynchronizer):
    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        lamps = []
        for number in range(int(attributes.get("lamps") or 2)):
            key = IntegrationKey(LAMPS_ID, f"lamp.{number}")
            state = ExternalState(state_key="power", name="Power", state_type="on_off",
                                  sensor=ExternalSensor(IntegrationKey(LAMPS_ID, f"lamp.{number}.power"), "Power"),
                                  controller=ExternalController(key, "Switch"), value="off")
            lamps.append(ExternalEntity(key=key, name=f"Lamp {number}", entity_type="light", states=(state,)))
        return Inventory(integration_id=LAMPS_ID, entities=tuple(lamps))


class LampGateway(IntegrationGateway):
    """Configurable, testable, syncable: enough to drive the whole lifecycle through API and CLI."""

    integration_id: ClassVar[str] = LAMPS_ID
    label: ClassVar[str] = "Test lamps"
    attribute_specs: ClassVar[tuple[AttributeSpec, ...]] = (
        AttributeSpec("base_url", "Address", AttributeType.URL),
        AttributeSpec("api_token", "Token", AttributeType.SECRET),
        AttributeSpec("lamps", "Lamps", AttributeType.INTEGER, required=False, default="2", min_value=0),
    )

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        if "unreachable" in attributes["base_url"]:
            return ConnectionTestResult(ok=False, message="nothing answers at that address")
        return ConnectionTestResult(ok=True, message="lamps found")

    def get_synchronizer(self) -> IntegrationSynchronizer:
        return _LampSynchronizer()
