"""Operations the REST API and the CLI share, so both behave (and fail) the same way."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

from hi.apps.control.models import ControllerHistory
from hi.integrations import integration_factory
from hi.integrations.enums import DisableMode
from hi.integrations.exceptions import ConfigurationError
from hi.integrations.models import Integration

from .queries import BadInput, NotFound, find_controller
from .serializers import integration_json

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


def configure(integration_id: str, values: Mapping[str, str], test: bool = True) -> dict[str, Any]:
    """Validate, test the connection, save; raises ConfigurationError with field errors."""
    check_integration_id(integration_id)
    if not values:
        raise BadInput("give at least one setting (KEY=VALUE)")
    from hi.integrations import lifecycle

    result = lifecycle.configure(integration_id, dict(values), test=test)
    return {"result": to_jsonable(result), "integration": get_integration(integration_id)}


def lifecycle_action(integration_id: str, action: str, mode: str | None = None) -> dict[str, Any]:
    check_integration_id(integration_id)
    if action not in LIFECYCLE_ACTIONS:
        raise BadInput(f"unknown action {action!r}")
    if not Integration.objects.filter(integration_id=integration_id).exists():
        raise ConfigurationError(f"{integration_id} is not configured yet; configure it first")
    from hi.integrations import lifecycle

    if action == "disable":
        result = lifecycle.disable(integration_id, check_mode(mode))
    else:
        result = getattr(lifecycle, action)(integration_id)
    return {"result": to_jsonable(result), "integration": get_integration(integration_id)}



def check_mode(mode: str | None) -> str:
    mode = mode or DisableMode.SAFE
    if mode not in DisableMode.values:
        raise BadInput(f"mode must be one of: {', '.join(DisableMode.values)}")
    return mode


def disable_preview(integration_id: str, mode: str | None) -> Any:
    check_integration_id(integration_id)
    from hi.integrations import lifecycle

    return to_jsonable(lifecycle.disable_preview(integration_id, check_mode(mode)))


def sync(integration_id: str, dry_run: bool = False, remove_missing: bool = False) -> Any:
    check_integration_id(integration_id)
    from hi.integrations.sync.engine import run_sync

    return to_jsonable(run_sync(integration_id, dry_run=dry_run, remove_missing=remove_missing))


def health() -> dict[str, Any]:
    """Every integration's stored and live health, plus whether the worker is running."""
    from hi.apps.monitor.models import worker_status
    from hi.integrations.health import all_health_snapshots

    return {"integrations": to_jsonable(all_health_snapshots()), "worker": worker_status()}


def control(key: str, value: Any, requested_by: str) -> ControllerHistory:
    from hi.apps.control.dispatch import dispatch_control
    from hi.integrations.exceptions import ControlError

    controller = find_controller(key)
    try:
        return dispatch_control(controller, value, requested_by)
    except ControlError as exc:  # bad value, integration not running, detached: the caller can fix it
        raise BadInput(exc.message) from exc
