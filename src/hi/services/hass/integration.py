"""The Home Assistant gateway: configuration, a bounded connection test, and the sync/monitor/control parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from hi.integrations.attributes import AttributeSpec
from hi.integrations.client import NO_RETRY, Timeouts, get_breaker, get_metrics
from hi.integrations.enums import AttributeType, HealthStatus
from hi.integrations.exceptions import (
    AuthenticationError,
    DataValidationError,
    IntegrationConnectionError,
    IntegrationError,
    RequestError,
)
from hi.integrations.integration_gateway import (
    ConnectionTestResult,
    EntityRef,
    HealthReport,
    IntegrationGateway,
    IntegrationSynchronizer,
    MediaUrls,
    Picture,
    Presentation,
)
from hi.utils.redaction import redact, register_secret

from .client import API_RUNNING, HassRestClient
from .hass_converter import DEFAULT_ALLOWLIST, Allowlist
from .hass_states import INTEGRATION_ID

if TYPE_CHECKING:
    from hi.integrations.controller import IntegrationController
    from hi.integrations.models import Integration
    from hi.integrations.monitor import IntegrationMonitor


def _check_allowlist(text: str) -> str | None:
    for line in text.splitlines():
        domain, _, device_class = line.partition(":")
        if not domain.strip().replace("_", "").isalnum() or (":" in line and not device_class.strip()):
            return f"not a domain or domain:device_class line: {line!r}"
    return None


def _where(base_url: str) -> str:
    parts = urlsplit(base_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


class HassGateway(IntegrationGateway):
    integration_id = INTEGRATION_ID
    label = "Home Assistant"
    expected_cycle_seconds = 15.0  # the monitor heartbeats this often while its WebSocket is up
    description = "Lights, switches, locks, covers, climate, sensors and more from Home Assistant, live over its WebSocket API."
    attribute_specs = (
        AttributeSpec("base_url", "Address", AttributeType.URL, help_text="e.g. http://homeassistant.local:8123"),
        AttributeSpec("api_token", "Long-lived access token", AttributeType.SECRET,
                      help_text="Home Assistant: your profile → Security → Long-lived access tokens"),
        AttributeSpec("import_allowlist", "Import only", AttributeType.LINES, required=False,
                      default="\n".join(DEFAULT_ALLOWLIST), validator=_check_allowlist,
                      help_text="one domain (light) or domain:device_class (binary_sensor:motion) per line; "
                                "empty imports every domain hi maps"),
        AttributeSpec("import_hidden", "Import hidden entities", AttributeType.BOOLEAN, required=False,
                      default="false", help_text="entities hidden in Home Assistant are left out unless this is on"),
    )

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        base_url, token = attributes.get("base_url", ""), attributes.get("api_token", "")
        register_secret(token)
        where = _where(base_url)
        try:
            with HassRestClient(base_url, token, timeouts=Timeouts(connect=timeout, read=timeout),
                                retry=NO_RETRY, use_breaker=False) as client:
                status = client.api_status()
                if status.message != API_RUNNING:
                    return ConnectionTestResult(False, f"{where} is not a Home Assistant server")
                config = client.config()
                states = client.states().states
        except AuthenticationError:
            return ConnectionTestResult(False, "wrong token: Home Assistant refused the access token")
        except IntegrationConnectionError as exc:
            return ConnectionTestResult(False, f"cannot reach {where}: {redact(exc.message).rsplit(': ', 1)[-1]}")
        except (RequestError, DataValidationError):
            return ConnectionTestResult(False, f"{where} is not a Home Assistant server")
        except IntegrationError as exc:
            return ConnectionTestResult(False, redact(exc.message))
        allowlist = Allowlist.parse(attributes.get("import_allowlist"))
        allowed = sum(1 for state in states if allowlist.allows(state))
        return ConnectionTestResult(
            True, f"Home Assistant {config.version} at {where}: {len(states)} entities, {allowed} to import",
            {"version": config.version, "entities": len(states), "importable": allowed})

    def get_synchronizer(self) -> IntegrationSynchronizer:
        from .hass_sync import HassSynchronizer

        return HassSynchronizer()

    def get_monitor(self, integration: Integration) -> IntegrationMonitor:
        from .monitors import HassMonitor

        return HassMonitor()

    @staticmethod
    def _members(entity: EntityRef) -> list[str]:
        """The Home Assistant entity ids grouped into this hub entity (a device's), else its own."""
        payload = entity.integration_payload if isinstance(entity.integration_payload, dict) else {}
        members = [m for m in payload.get("entity_ids") or [] if isinstance(m, str)]
        if not members and entity.integration_name:
            members = [entity.integration_name]
        return members

    def media_urls(self, entity: EntityRef) -> MediaUrls:
        """A camera's picture and live stream through our authenticated proxy (``views.py``): the first
        ``camera.*`` among the Home Assistant entities grouped into this one."""
        members = self._members(entity)
        camera = next((m for m in members if m.startswith("camera.")), None)
        if camera is not None:
            return MediaUrls(picture=f"/hass/cameras/{camera}/picture", stream=f"/hass/cameras/{camera}/stream")
        image = next((m for m in members if m.startswith("image.")), None)
        return MediaUrls(picture=f"/hass/images/{image}") if image is not None else MediaUrls()

    async def fetch_picture(self, entity: EntityRef) -> Picture | None:
        """The camera's picture now from Home Assistant's camera proxy, checked like the browser's (an
        alert's snapshot); the same camera ``media_urls`` shows."""
        from .camera_pictures import picture_now

        camera = next((m for m in self._members(entity) if m.startswith("camera.")), None)
        return await picture_now(camera) if camera is not None else None

    def presentation(self, entity: EntityRef) -> Presentation | None:
        """A ``weather.*`` entity laid out like the hub's weather station: current readings, and charts
        and days from the forecasts the monitor follows (``hass_forecasts``)."""
        from .hass_forecasts import weather_presentation

        payload = entity.integration_payload if isinstance(entity.integration_payload, dict) else {}
        members = [m for m in payload.get("entity_ids") or [] if isinstance(m, str)] or [entity.integration_name or ""]
        weather = next((m for m in members if m.startswith("weather.")), None)
        return weather_presentation(weather) if weather is not None else None

    def get_controller(self) -> IntegrationController:
        from .hass_controller import HassController

        return HassController()

    def health(self) -> HealthReport:
        """Live details of this process's client (breaker, metrics); the monitor records the status."""
        breaker = get_breaker(self.integration_id).snapshot()
        return HealthReport(HealthStatus.UNKNOWN, "", {"breaker": breaker,
                                                       "metrics": get_metrics(self.integration_id).snapshot()})

    def control_needs_code(self, controller: EntityRef) -> bool:
        """An alarm panel whose Home Assistant state declares a ``code_format`` (kept in the payload by sync)."""
        payload = controller.integration_payload
        return bool(isinstance(payload, dict) and payload.get("code_format"))
