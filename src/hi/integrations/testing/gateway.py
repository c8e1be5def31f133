"""The toy integration (id ``toy``): a complete, tiny gateway used only by tests of the framework.

It talks plain ``httpx`` to ``ToySimulator`` so framework tests do not depend on the shared
client layer; real integrations use ``hi.integrations.client`` instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

from hi.apps.entity.enums import EntityStateType, EntityType
from hi.integrations.controller import ControlResult, IntegrationController
from hi.integrations.monitor import PeriodicMonitor
from hi.integrations.sensor_response import SensorResponse

from ..attributes import AttributeSpec
from ..enums import AttributeType, HealthStatus
from ..exceptions import (
    AuthenticationError,
    ControlError,
    DataValidationError,
    IntegrationConnectionError,
    IntegrationTimeoutError,
    RequestError,
)
from ..integration_gateway import (
    ConnectionTestResult,
    HealthReport,
    IntegrationGateway,
    IntegrationSynchronizer,
)
from ..keys import IntegrationKey
from ..sync.inventory import ExternalController, ExternalEntity, ExternalSensor, ExternalState, Inventory

if TYPE_CHECKING:
    from hi.apps.control.models import Controller
    from hi.integrations.monitor import MonitorContext

    from ..models import Integration

logger = logging.getLogger(__name__)
TOY = "toy"
_KIND_MAP: dict[str, tuple[str, str, str, bool]] = {
    # kind: (entity type, state key, state type, controllable)
    "light": (EntityType.LIGHT, "power", EntityStateType.ON_OFF, True),
    "dimmer": (EntityType.LIGHT, "brightness", EntityStateType.LIGHT_DIMMER, True),
    "motion": (EntityType.MOTION_SENSOR, "motion", EntityStateType.MOVEMENT, False),
    "thermometer": (EntityType.SENSOR, "temperature", EntityStateType.TEMPERATURE, False),
}


def _translate(exc: httpx.HTTPError) -> Exception:
    if isinstance(exc, httpx.TimeoutException):
        return IntegrationTimeoutError("the toy server did not answer in time", integration_id=TOY)
    return IntegrationConnectionError(f"cannot reach the toy server: {type(exc).__name__}", integration_id=TOY)


def _check(response: httpx.Response) -> Any:
    if response.status_code == 401:
        raise AuthenticationError("the toy server refused the API token", integration_id=TOY)
    if response.status_code >= 400:
        try:
            message = response.json().get("error", "")
        except ValueError:
            message = ""
        raise RequestError(f"the toy server said: {message or response.status_code}",
                           status_code=response.status_code, integration_id=TOY)
    try:
        return response.json()
    except ValueError as exc:
        raise DataValidationError("the toy server sent something that is not JSON", integration_id=TOY) from exc


def request(attributes: Mapping[str, str], method: str, path: str, timeout: float = 5.0,
            body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {attributes.get('api_token', '')}"}
    try:
        response = httpx.request(method, f"{attributes['base_url']}{path}", headers=headers, json=body,
                                 timeout=timeout)
    except httpx.HTTPError as exc:
        raise _translate(exc) from exc
    return _check(response)


def _external(device: Mapping[str, Any]) -> ExternalEntity:
    entity_type, state_key, state_type, controllable = _KIND_MAP[device["kind"]]
    key = IntegrationKey(TOY, str(device["id"]))
    state = ExternalState(
        state_key=state_key, name=state_key.title(), state_type=state_type, value=device.get("value"),
        units="°C" if state_type == EntityStateType.TEMPERATURE else "",
        sensor=ExternalSensor(key, f"{device['name']} {state_key}"),
        controller=ExternalController(key, f"{device['name']} {state_key}") if controllable else None)
    room = device.get("room")
    location = tuple(str(room).split("/")) if isinstance(room, str) else ()
    return ExternalEntity(key, str(device["name"]), entity_type, (state,), payload={"kind": device["kind"]},
                          location=location)


class ToySynchronizer(IntegrationSynchronizer):
    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        devices = request(attributes, "GET", "/api/devices").get("devices", [])
        entities, complete = [], True
        for device in devices:
            if not isinstance(device, dict) or device.get("kind") not in _KIND_MAP or not device.get("id"):
                logger.warning("toy: skipping a malformed device entry")
                complete = False
                continue
            entities.append(_external(device))
        return Inventory(TOY, tuple(entities), complete=complete)


class ToyController(IntegrationController):
    def do_control(self, controller: Controller, value: Any) -> ControlResult:
        from ..models import Integration

        attributes = Integration.objects.get(integration_id=TOY).attribute_values()
        try:
            request(attributes, "POST", f"/api/devices/{controller.integration_name}", body={"value": value})
        except RequestError as exc:
            raise ControlError(exc.message, integration_id=TOY) from exc
        return ControlResult(ok=True, message="accepted", expected_value=value)


class ToyMonitor(PeriodicMonitor):
    """Polls ``/api/changes``; the first poll (and any restart) reads every device for a full resync."""

    name = "toy-poll"

    def __init__(self, interval_seconds: float = 1.0) -> None:
        self.interval_seconds = interval_seconds
        self.cursor: int | None = None

    async def poll(self, context: MonitorContext) -> None:
        attributes = context.attributes
        self.interval_seconds = float(attributes.get("poll_interval") or self.interval_seconds)
        headers = {"Authorization": f"Bearer {attributes.get('api_token', '')}"}
        async with httpx.AsyncClient(base_url=attributes["base_url"], headers=headers, timeout=5.0) as client:
            try:
                if self.cursor is None:
                    payload = _check(await client.get("/api/devices"))
                    now = dt.datetime.now(dt.UTC)
                    responses = [SensorResponse(IntegrationKey(TOY, d["id"]), d["value"], now)
                                 for d in payload["devices"]]
                    self.cursor = int(payload["last_change"])
                else:
                    payload = _check(await client.get("/api/changes", params={"since": self.cursor}))
                    responses = [SensorResponse(IntegrationKey(TOY, c["device"]), c["value"],
                                                dt.datetime.fromisoformat(c["timestamp"]))
                                 for c in payload["changes"]]
                    self.cursor = int(payload["last"])
            except httpx.HTTPError as exc:
                raise _translate(exc) from exc
        if responses:
            await context.submit(responses)


class ToyGateway(IntegrationGateway):
    integration_id: ClassVar[str] = TOY
    label: ClassVar[str] = "Toy"
    description: ClassVar[str] = "A test-only system with a few devices."
    attribute_specs = (
        AttributeSpec("base_url", "Server address", AttributeType.URL),
        AttributeSpec("api_token", "API token", AttributeType.SECRET),
        AttributeSpec("poll_interval", "Poll interval (seconds)", AttributeType.FLOAT, required=False,
                      default="1", min_value=0.01, max_value=3600),
    )

    def init_singleton(self) -> None:
        self.active = False

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        payload = request(attributes, "GET", "/api/ping", timeout=timeout)
        return ConnectionTestResult(True, f"reached the toy server ({payload.get('devices', 0)} devices)")

    def activate(self, integration: Integration):
        self.active = True
        return super().activate(integration)

    def deactivate(self, integration: Integration):
        self.active = False
        return super().deactivate(integration)

    def get_synchronizer(self) -> ToySynchronizer:
        return ToySynchronizer()

    def get_monitor(self, integration: Integration) -> ToyMonitor:
        return ToyMonitor()

    def get_controller(self) -> ToyController:
        return ToyController()

    def health(self) -> HealthReport:
        return HealthReport(HealthStatus.UNKNOWN, details={"active": self.active})
