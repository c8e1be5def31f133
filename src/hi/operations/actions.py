"""What the web UI, the REST API and the CLI do to integrations and devices, written once.

Each face calls these functions and gets typed results (``as_dict()``/``to_dict()`` where it needs
JSON); a rule — which ids exist, what must be configured first, which modes a disable takes, who
asked for a control — is checked here and nowhere else. Failures raise: ``NotFound`` (unknown id),
``BadInput`` (malformed request), ``ConfigurationError``/``IntegrationError`` (the lifecycle's own).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hi.apps.control.dispatch import dispatch_control
from hi.apps.control.models import Controller, ControllerHistory
from hi.apps.monitor.models import worker_status
from hi.integrations import integration_factory, lifecycle
from hi.integrations.enums import DisableMode
from hi.integrations.exceptions import ConfigurationError, ControlError
from hi.integrations.health import all_health_snapshots
from hi.integrations.integration_gateway import ManageResult
from hi.integrations.models import Integration
from hi.integrations.sync.engine import SyncReport, run_sync

from .queries import BadInput, NotFound, find_controller

LIFECYCLE_ACTIONS = ("enable", "pause", "resume", "disable")


def to_jsonable(value: Any) -> Any:
    """Plain JSON from the engine's result objects (dataclasses, enums, dates, keys)."""
    for method in ("to_dict", "as_dict"):
        if callable(getattr(value, method, None)):
            return to_jsonable(getattr(value, method)())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def integration_json(integration: Integration, label: str = "", with_attributes: bool = False) -> dict[str, Any]:
    """Lifecycle and health of one integration; secrets appear only as 'set'/'not set'."""
    data: dict[str, Any] = {
        "integration_id": integration.integration_id,
        "label": label or integration.integration_id,
        "status": integration.status,
        "config_version": integration.config_version,
        "health": {
            "status": integration.health_status,
            "message": integration.health_message,
            "last_success_at": _iso(integration.last_success_at),
            "last_error_at": _iso(integration.last_error_at),
            "last_error": integration.last_error,
            "consecutive_failures": integration.consecutive_failures,
            "heartbeat_at": _iso(integration.heartbeat_at),
        },
        "needs_sync": integration.needs_sync,
        "last_sync_at": _iso(integration.last_sync_at),
    }
    if with_attributes:
        data["attributes"] = {attr.key: attr.display_value for attr in integration.attributes.all()}
    return data


@dataclass(frozen=True)
class IntegrationOutcome:
    """What a configure or lifecycle call did (the lifecycle's result) and the integration as it now is."""

    result: ManageResult
    integration: dict[str, Any]

    @property
    def message(self) -> str:
        return str(self.result.get("message") or "")

    def as_dict(self) -> dict[str, Any]:
        return {"result": dict(self.result), "integration": self.integration}


def check_integration_id(integration_id: str) -> str:
    """The id must name an integration this hub knows."""
    if integration_id not in integration_factory.integration_ids():
        known = ", ".join(integration_factory.available_integration_ids()) or "none"
        raise NotFound(f"unknown integration {integration_id!r}; known: {known}")
    return integration_id


def gateway_label(integration_id: str) -> str:
    try:
        return integration_factory.get_gateway_class(integration_id).label
    except Exception:  # an integration still being built still gets listed by id
        return integration_id


def list_integrations() -> list[dict[str, Any]]:
    """Every known integration, configured or not."""
    rows = {row.integration_id: row for row in Integration.objects.all()}
    result = []
    for integration_id in sorted(set(integration_factory.available_integration_ids()) | set(rows)):
        row = rows.get(integration_id) or Integration(integration_id=integration_id)
        result.append(integration_json(row, gateway_label(integration_id)))
    return result


def get_integration(integration_id: str) -> dict[str, Any]:
    check_integration_id(integration_id)
    row = Integration.objects.filter(integration_id=integration_id).first() or Integration(integration_id=integration_id)
    data = integration_json(row, gateway_label(integration_id), with_attributes=row.pk is not None)
    data.setdefault("attributes", {})
    try:
        specs = integration_factory.get_gateway_class(integration_id).attribute_specs
    except Exception:
        specs = ()
    data["attribute_specs"] = [
        {"key": s.key, "label": s.label, "type": s.value_type, "required": s.required, "secret": s.is_secret,
         "help": s.help_text, "choices": list(s.choices), "default": s.default}
        for s in specs
    ]
    return data


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` arguments into a mapping; a malformed one is refused before anything is saved."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise BadInput(f"expected KEY=VALUE, got {pair!r}")
        values[key.strip()] = value
    return values


def configure(integration_id: str, values: Mapping[str, str | None], test: bool = True) -> IntegrationOutcome:
    """Validate, test the connection, save; raises ConfigurationError with field errors."""
    check_integration_id(integration_id)
    if not values:
        raise BadInput("give at least one setting (KEY=VALUE)")
    result = lifecycle.configure(integration_id, dict(values), test=test)
    return IntegrationOutcome(result, get_integration(integration_id))


def lifecycle_action(integration_id: str, action: str, mode: str | None = None) -> IntegrationOutcome:
    """enable / pause / resume / disable (with a mode); only a configured integration has a lifecycle."""
    check_integration_id(integration_id)
    if action not in LIFECYCLE_ACTIONS:
        raise BadInput(f"unknown action {action!r}")
    if not Integration.objects.filter(integration_id=integration_id).exists():
        raise ConfigurationError(f"{integration_id} is not configured yet; configure it first")
    if action == "disable":
        result = lifecycle.disable(integration_id, check_mode(mode))
    else:
        result = getattr(lifecycle, action)(integration_id)
    return IntegrationOutcome(result, get_integration(integration_id))


def check_mode(mode: str | None) -> str:
    mode = mode or DisableMode.SAFE
    if mode not in DisableMode.values:
        raise BadInput(f"mode must be one of: {', '.join(DisableMode.values)}")
    return mode


def disable_preview(integration_id: str, mode: str | None) -> dict[str, Any]:
    """Counts and names of what each disable mode would remove or detach."""
    check_integration_id(integration_id)
    return lifecycle.disable_preview(integration_id, check_mode(mode))


def sync(integration_id: str, dry_run: bool = False, remove_missing: bool = False) -> SyncReport:
    """Run (or, with ``dry_run``, plan) a sync; ``SyncReport.to_dict()`` is its JSON."""
    check_integration_id(integration_id)
    return run_sync(integration_id, dry_run=dry_run, remove_missing=remove_missing)


def health() -> dict[str, Any]:
    """Every integration's stored and live health, plus whether the worker is running."""
    return {"integrations": to_jsonable(all_health_snapshots()), "worker": worker_status()}


def control(target: Controller | str | int, value: Any, requested_by: str,
            code: str | None = None) -> ControllerHistory:
    """Send a value through control dispatch; a request the caller can fix raises ``BadInput``.

    ``target`` is an integration key or numeric id (API, CLI) or the Controller row itself (web).
    ``code`` (an alarm panel's) goes to the integration only, never into history or logs.
    """
    controller = target if isinstance(target, Controller) else find_controller(target)
    try:
        return dispatch_control(controller, value, requested_by, code=code)
    except ControlError as exc:  # bad value, integration not running, detached: the caller can fix it
        raise BadInput(exc.message) from exc
