"""Integrations: list, inspect, configure, lifecycle, sync and health."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from hi.integrations import health
from hi.integrations.exceptions import ConfigurationError, IntegrationError
from hi.operations import actions

from .schemas import ConfigureIn, DisableIn, Problem, SyncIn

router = Router(tags=["integrations"])


@router.get("", summary="Every known integration with lifecycle and health")
def list_integrations(request: HttpRequest) -> list[dict[str, Any]]:
    return actions.list_integrations()


@router.get("/{integration_id}", summary="One integration with its settings (secrets as set/not set)")
def get_integration(request: HttpRequest, integration_id: str) -> dict[str, Any]:
    return actions.get_integration(integration_id)


@router.post("/{integration_id}/configure", response={200: dict, 400: Problem, 404: Problem},
             summary="Validate, test the connection and save settings")
def configure(request: HttpRequest, integration_id: str, payload: ConfigureIn) -> Any:
    values = {key: "" if value is None else str(value) for key, value in payload.values.items()}
    try:
        return actions.configure(integration_id, values, test=payload.test).as_dict()
    except ConfigurationError:
        raise
    except IntegrationError as exc:  # a failed connection test is the user's settings, not our server
        return Status(400, {"detail": f"connection test failed: {exc.message}"})


@router.post("/{integration_id}/enable", summary="Start running the integration")
def enable(request: HttpRequest, integration_id: str) -> dict[str, Any]:
    return actions.lifecycle_action(integration_id, "enable").as_dict()


@router.post("/{integration_id}/pause", summary="Stop the monitor, keep everything")
def pause(request: HttpRequest, integration_id: str) -> dict[str, Any]:
    return actions.lifecycle_action(integration_id, "pause").as_dict()


@router.post("/{integration_id}/resume", summary="Run a paused integration again")
def resume(request: HttpRequest, integration_id: str) -> dict[str, Any]:
    return actions.lifecycle_action(integration_id, "resume").as_dict()


@router.get("/{integration_id}/disable", summary="Preview what disabling would remove or detach")
def disable_preview(request: HttpRequest, integration_id: str, mode: str = "safe") -> Any:
    return actions.disable_preview(integration_id, mode)


@router.post("/{integration_id}/disable", summary="Disable: 'safe' keeps entities with user data detached")
def disable(request: HttpRequest, integration_id: str, payload: DisableIn) -> dict[str, Any]:
    return actions.lifecycle_action(integration_id, "disable", payload.mode).as_dict()


@router.post("/{integration_id}/sync", summary="Sync the model with the external system (or dry-run it)")
def sync(request: HttpRequest, integration_id: str, payload: SyncIn) -> Any:
    return actions.sync(integration_id, dry_run=payload.dry_run, remove_missing=payload.remove_missing).to_dict()


@router.get("/{integration_id}/health", summary="Stored and live health of one integration")
def integration_health(request: HttpRequest, integration_id: str) -> Any:
    actions.check_integration_id(integration_id)
    return actions.to_jsonable(health.health_snapshot(integration_id))

