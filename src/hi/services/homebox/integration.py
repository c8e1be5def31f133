"""The HomeBox gateway: configuration, connection test, health, and the sync / monitor parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from hi.integrations.attributes import AttributeSpec
from hi.integrations.client.breaker import get_breaker
from hi.integrations.client.http import Timeouts
from hi.integrations.client.metrics import get_metrics
from hi.integrations.client.retry import NO_RETRY
from hi.integrations.enums import AttributeType, HealthStatus
from hi.integrations.exceptions import IntegrationError
from hi.integrations.integration_gateway import (
    ConnectionTestResult,
    HealthReport,
    IntegrationGateway,
    IntegrationSynchronizer,
)
from hi.utils.redaction import redact, register_secret

from .client import INTEGRATION_ID, HomeBoxClient, latest_session
from .hb_settings import settings_from

if TYPE_CHECKING:
    from hi.integrations.models import Integration
    from hi.integrations.monitor import IntegrationMonitor


class HomeBoxGateway(IntegrationGateway):
    integration_id = INTEGRATION_ID
    label = "HomeBox"
    description = ("The household inventory from HomeBox (v0.10 to v0.26+): each item as an entity with its "
                   "serial, model, warranty, purchase and custom fields, its location, tags and attachments.")
    attribute_specs = (
        AttributeSpec("api_url", "Address", AttributeType.URL, help_text="e.g. http://homebox.local:7745"),
        AttributeSpec("username", "User name (e-mail)", required=False,
                      help_text="leave empty when you use an API key"),
        AttributeSpec("password", "Password", AttributeType.SECRET, required=False),
        AttributeSpec("api_key", "API key", AttributeType.SECRET, required=False,
                      help_text="HomeBox v0.26+: an hb_… key instead of user name and password"),
        AttributeSpec("tenant", "Collection id", required=False,
                      help_text="HomeBox v0.23+: the collection (group) to import; empty: your default one"),
        AttributeSpec("refresh_interval", "Refresh every (seconds)", AttributeType.INTEGER, required=False,
                      help_text="default 3600 (hourly); a manual sync works any time"),
        AttributeSpec("warranty_days", "Warranty warning (days)", AttributeType.INTEGER, required=False,
                      help_text="default 30: the 'Warranties ending soon' state counts warranties ending "
                                "within this many days (an input for alarm rules)"),
    )

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        register_secret(attributes.get("password"))
        register_secret(attributes.get("api_key"))
        try:
            settings = settings_from(attributes)
            with HomeBoxClient(settings, timeouts=Timeouts(connect=timeout, read=timeout), retry=NO_RETRY,
                               use_breaker=False) as client:
                status = client.status()
                group = client.group()
        except IntegrationError as exc:  # refused login, rate limit, unreachable: the message says which
            return ConnectionTestResult(False, redact(exc.message))
        generation = client.session.generation
        return ConnectionTestResult(
            True, f"HomeBox {status.build.version or '(development build)'} ({generation.name} API), "
                  f"collection {group.name or group.id}",
            {"version": status.build.version, "generation": generation.name, "collection": group.name})

    def get_synchronizer(self) -> IntegrationSynchronizer:
        from .hb_sync import HomeBoxSynchronizer

        return HomeBoxSynchronizer()

    def get_monitor(self, integration: Integration) -> IntegrationMonitor:
        from .monitors import HomeBoxMonitor

        return HomeBoxMonitor()

    def health(self) -> HealthReport:
        """Breaker, metrics, the last sync and the login state this process knows (no database query:
        the monitor stores reachability and login state with the integration's health for the others)."""
        from .hb_sync import last_sync

        breaker = get_breaker(self.integration_id).snapshot()
        session = latest_session()
        login = session.snapshot() if session is not None else {}
        details = {"breaker": breaker, "metrics": get_metrics(self.integration_id).snapshot(),
                   "last_sync": last_sync(), "login": login}
        if login.get("last_login") == "refused":
            return HealthReport(HealthStatus.ERROR, "HomeBox refused the credentials", details)
        if login.get("login_blocked_until"):
            return HealthReport(HealthStatus.WARNING, f"HomeBox limits logins; waiting until "
                                                      f"{login['login_blocked_until']}", details)
        if str(breaker.get("state", "closed")) == "open":
            return HealthReport(HealthStatus.ERROR, "too many failed requests; waiting before trying again", details)
        return HealthReport(HealthStatus.UNKNOWN, "", details)
