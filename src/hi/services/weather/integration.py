"""The weather gateway: configuration, connection test, and the station's synchronizer and monitor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from hi.integrations.attributes import AttributeSpec
from hi.integrations.client.http import Timeouts
from hi.integrations.enums import AttributeType, HealthStatus
from hi.integrations.exceptions import ConfigurationError, IntegrationError
from hi.integrations.integration_gateway import (
    ConnectionTestResult,
    EntityRef,
    HealthReport,
    IntegrationGateway,
    IntegrationSynchronizer,
    ManageResult,
    Presentation,
)

from .config import WeatherSettings, default_source_list
from .monitor import WeatherMonitor
from .sources import available_sources, parse_source_list
from .sources.base import utc_now
from .station import INTEGRATION_ID, PRESENTATION, STATION_NAME
from .store import MemoryStore
from .synchronizer import WeatherSynchronizer
from .transport import ClientTransport
from .units import UNIT_SYSTEMS

if TYPE_CHECKING:
    from hi.integrations.models import Integration
    from hi.integrations.monitor import IntegrationMonitor

    from .service import WeatherService, WeatherSnapshot


def _check_sources(text: str) -> str | None:
    try:
        parse_source_list(text)
    except ValueError as exc:
        return str(exc)
    return None


class WeatherGateway(IntegrationGateway):
    integration_id: ClassVar[str] = INTEGRATION_ID
    label: ClassVar[str] = "Weather"
    expected_cycle_seconds: ClassVar[float] = 60.0  # WeatherMonitor.interval_seconds
    description: ClassVar[str] = "Current conditions, forecasts, sunrise/sunset and alerts from NWS, Open-Meteo " \
                                 "and sunrise-sunset.org, merged by priority and freshness."
    attribute_specs: ClassVar[tuple[AttributeSpec, ...]] = (
        AttributeSpec("latitude", "Latitude", AttributeType.FLOAT, min_value=-90, max_value=90,
                      help_text="Decimal degrees, north positive (e.g. 41.8781)."),
        AttributeSpec("longitude", "Longitude", AttributeType.FLOAT, min_value=-180, max_value=180,
                      help_text="Decimal degrees, east positive (e.g. -87.6298)."),
        AttributeSpec("sources", "Sources", AttributeType.TEXT, required=False, default=default_source_list(),
                      help_text="Which sources are on, best first, comma-separated (nws only covers the US).",
                      validator=_check_sources),
        AttributeSpec("nws_contact", "Contact for NWS", AttributeType.TEXT, required=False,
                      help_text="An e-mail or web address; NWS requires one in every request's User-Agent."),
        AttributeSpec("units", "Units", AttributeType.CHOICE, required=False, default="metric", choices=UNIT_SYSTEMS),
        *(AttributeSpec(f"{name}_base_url", f"{source.spec.label} address", AttributeType.URL, required=False,
                        default=source.spec.default_base_url,
                        help_text="Leave as is for the public service; point at a mirror or a simulator.")
          for name, source in available_sources().items()),
    )

    def init_singleton(self) -> None:
        self.last_snapshot: WeatherSnapshot | None = None
        self.service: WeatherService | None = None

    def validate_configuration(self, attributes: Mapping[str, str | None],
                               existing: Mapping[str, str] | None = None) -> dict[str, str]:
        cleaned = super().validate_configuration(attributes, existing)
        if "nws" in parse_source_list(cleaned["sources"]) and not cleaned.get("nws_contact"):
            raise ConfigurationError(field_errors={
                "nws_contact": "NWS refuses requests without a contact; enter an e-mail or web address, "
                               "or remove nws from sources"})
        return cleaned

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        """Ask each enabled source once. A source that fails for now (an outage, a timeout) does not block
        saving while another answers — it is named, and the others serve until it is back; a permanent
        refusal (e.g. a point outside NWS coverage, bad settings) does, and says so.

        A memory store keeps this free of database writes (it runs on a helper thread, before saving).
        """
        store = MemoryStore()
        timeouts = Timeouts(connect=min(5.0, timeout), read=timeout)
        service = WeatherSettings.from_attributes(attributes).build_service(
            store, transport_factory=lambda spec: ClientTransport(spec, store, utc_now, timeouts=timeouts))
        results: dict[str, str] = {}
        transient: set[str] = set()
        try:
            for source in service.sources:
                try:
                    results[source.spec.name] = source.probe(service.fetcher_for(source))
                except IntegrationError as exc:
                    if exc.transient:
                        transient.add(source.spec.name)
                        results[source.spec.name] = f"failed for now ({exc.message}); the other sources serve until it is back"
                    else:
                        results[source.spec.name] = f"failed: {exc.message}"
        finally:
            service.close()
        permanent = {name for name, text in results.items() if text.startswith("failed:")}
        working = set(results) - permanent - transient
        message = "; ".join(f"{name}: {text}" for name, text in results.items())
        return ConnectionTestResult(ok=not permanent and bool(working), message=message, details=results)

    def get_synchronizer(self) -> IntegrationSynchronizer:
        return WeatherSynchronizer()

    def get_monitor(self, integration: Integration) -> IntegrationMonitor:
        return WeatherMonitor(on_snapshot=self._remember)

    def deactivate(self, integration: Integration) -> ManageResult:
        """Forget the live snapshot so a stopped integration does not report old health."""
        self.last_snapshot, self.service = None, None
        return super().deactivate(integration)

    def _remember(self, snapshot: WeatherSnapshot, service: WeatherService) -> None:
        self.last_snapshot, self.service = snapshot, service

    def health(self) -> HealthReport:
        """Live: which source serves, what is stale, and each source's breaker and request metrics."""
        snapshot = self.last_snapshot
        if snapshot is None or self.service is None:
            return HealthReport(status=HealthStatus.UNKNOWN, message="no poll yet")
        states = {s.state for s in snapshot.sources.values()}
        if "ok" not in states:
            status = HealthStatus.ERROR
        elif snapshot.any_stale or states != {"ok"}:
            status = HealthStatus.WARNING
        else:
            status = HealthStatus.HEALTHY
        return HealthReport(status=status, message=snapshot.summary(),
                            details={"serving": snapshot.serving, "sources": self.service.health_details()})

    def presentation(self, entity: EntityRef) -> Presentation | None:
        """The station's layout (``station.PRESENTATION``); the weather page reads no key of its own."""
        return PRESENTATION if entity.integration_name == STATION_NAME else None
