"""The contract every integration implements: lifecycle, configuration, and its working parts."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

from hi.utils.singleton import Singleton

from .attributes import AttributeSpec, clean_attributes
from .enums import HealthStatus

if TYPE_CHECKING:
    from django.http import HttpRequest

    from hi.integrations.controller import IntegrationController
    from hi.integrations.monitor import IntegrationMonitor

    from .models import Integration
    from .sync.inventory import Inventory


class ManageResult(TypedDict, total=False):
    """What ``activate``, ``deactivate`` and ``manage`` return, as the seeds define it."""

    status: str  # 'success' | 'error'
    message: str
    redirect: str | None


def success(message: str, redirect: str | None = None) -> ManageResult:
    return {"status": "success", "message": message, "redirect": redirect}


def failure(message: str, redirect: str | None = None) -> ManageResult:
    return {"status": "error", "message": message, "redirect": redirect}


@dataclass(frozen=True)
class ConnectionTestResult:
    ok: bool
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class HealthReport:
    status: HealthStatus
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class IntegrationSynchronizer(abc.ABC):
    """Describes what the external system has; the sync engine does the rest."""

    @abc.abstractmethod
    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        """Return the external system's current inventory; raise an IntegrationError on failure."""


class IntegrationGateway(Singleton, abc.ABC):
    """Base of every integration's gateway; one instance per integration (a singleton)."""

    integration_id: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str] = ""
    attribute_specs: ClassVar[Sequence[AttributeSpec]] = ()

    # -- configuration -------------------------------------------------------------------------
    def validate_configuration(self, attributes: Mapping[str, str | None],
                               existing: Mapping[str, str] | None = None) -> dict[str, str]:
        """Check types and required values without any network; return cleaned values."""
        return clean_attributes(self.attribute_specs, attributes, existing)

    @abc.abstractmethod
    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        """Reach the external system with the given settings within ``timeout`` seconds."""

    # -- lifecycle (the seeds' three) ----------------------------------------------------------
    def activate(self, integration: Integration) -> ManageResult:
        """Called when the integration starts running; subclasses open resources here."""
        return success(f"{self.label} is active.")

    def deactivate(self, integration: Integration) -> ManageResult:
        """Called when the integration stops; subclasses close connections here."""
        return success(f"{self.label} is stopped.")

    def manage(self, request: HttpRequest, integration: Integration) -> ManageResult:
        """Handle the integration's management actions; the default has none of its own."""
        return success(f"{self.label} has no extra management actions.")

    # -- working parts -------------------------------------------------------------------------
    def get_synchronizer(self) -> IntegrationSynchronizer | None:
        return None

    def get_monitor(self, integration: Integration) -> IntegrationMonitor | None:
        return None

    def get_controller(self) -> IntegrationController | None:
        return None

    def handle_webhook(self, hook_id: str, payload: Any, headers: Mapping[str, str]) -> dict[str, Any] | None:
        """Handle an authenticated inbound webhook (``hi.integrations.webhooks``); runs in a transaction.

        Raise ``DataValidationError`` for a payload that does not fit (→ 400). The default has no
        webhooks, so the endpoint answers 404.
        """
        raise NotImplementedError

    def health(self) -> HealthReport:
        """Live health beyond what is stored (breaker state, metrics); default: nothing extra."""
        return HealthReport(status=HealthStatus.UNKNOWN)
