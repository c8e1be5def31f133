"""An integration's lifecycle: configure (validate → test → save) → enable → pause/resume → disable.

Every step either completes or changes nothing. The worker follows ``Integration.status`` and
``config_version``: bumping the version is how a running integration picks up new settings.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from hi.apps.control.models import Controller
from hi.apps.entity.live import publish_entity_changes
from hi.apps.entity.models import Entity
from hi.apps.sense.models import Sensor
from hi.utils.redaction import redact, register_secret

from . import integration_factory
from .enums import DisableMode, HealthStatus, IntegrationStatus
from .exceptions import (
    ConfigurationError,
    IntegrationConnectionError,
    IntegrationError,
    IntegrationTimeoutError,
)
from .integration_gateway import IntegrationGateway, ManageResult, success
from .models import Integration, IntegrationAttribute
from .signals import integration_changed
from .sync.ownership import entities_with_user_data, integration_entity_filter

logger = logging.getLogger(__name__)

_GRACE_SECONDS = 2.0  # how much longer than its own timeout a connection test may take


def _announce(integration_id: str) -> None:
    """Tell listeners (the worker) once the change is committed."""
    transaction.on_commit(lambda: integration_changed.send(sender=Integration, integration_id=integration_id))


def _gateway(integration_id: str) -> IntegrationGateway:
    return integration_factory.get_gateway(integration_id)


def _stored(integration_id: str) -> Integration | None:
    return Integration.objects.filter(integration_id=integration_id).first()


def _require(integration_id: str) -> Integration:
    integration = _stored(integration_id)
    if integration is None or integration.status == IntegrationStatus.NOT_CONFIGURED:
        raise ConfigurationError(f"integration {integration_id} is not configured; configure it first",
                                 integration_id=integration_id)
    return integration


def _test_connection(gateway: IntegrationGateway, values: Mapping[str, str], timeout: float) -> str:
    """Run the gateway's test with a hard wall-clock bound, whatever the gateway does inside."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = gateway.test_connection(values, timeout)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target, name=f"test-{gateway.integration_id}", daemon=True)
    thread.start()
    thread.join(timeout + _GRACE_SECONDS)
    if thread.is_alive():
        raise IntegrationTimeoutError(f"{gateway.label} did not answer within {timeout:g} s",
                           integration_id=gateway.integration_id)
    error = outcome.get("error")
    if isinstance(error, IntegrationError):
        raise error
    if error is not None:
        raise IntegrationConnectionError(redact(f"connection test failed: {error}"), integration_id=gateway.integration_id)
    result = outcome["result"]
    if not result.ok:
        raise IntegrationConnectionError(result.message or f"{gateway.label} connection test failed",
                              integration_id=gateway.integration_id)
    return result.message


def configure(integration_id: str, values: Mapping[str, str | None], *, test: bool = True,
              timeout: float | None = None) -> ManageResult:
    """Validate, test the connection, then save; any failure raises and leaves everything as it was."""
    gateway = _gateway(integration_id)
    existing_row = _stored(integration_id)
    existing = existing_row.attribute_values() if existing_row else {}
    as_text = {key: None if value is None else str(value) for key, value in values.items()}
    cleaned = gateway.validate_configuration(as_text, existing)
    tested = ""
    if test:
        tested = _test_connection(gateway, cleaned, timeout or settings.HI_CONNECTION_TEST_TIMEOUT)
    specs = {spec.key: spec for spec in gateway.attribute_specs}
    with transaction.atomic():
        integration, _ = Integration.objects.select_for_update().get_or_create(integration_id=integration_id)
        for key, value in cleaned.items():
            spec = specs[key]
            if spec.is_secret:
                register_secret(value)
            IntegrationAttribute.objects.update_or_create(
                integration=integration, key=key,
                defaults={"value": value, "value_type": spec.value_type, "is_required": spec.required,
                          "is_secret": spec.is_secret})
        integration.attributes.exclude(key__in=list(cleaned)).delete()
        first_time = integration.status == IntegrationStatus.NOT_CONFIGURED
        if first_time:
            integration.status = IntegrationStatus.CONFIGURED
            integration.needs_sync, integration.needs_sync_reason = True, "never synced"
        if integration.status != IntegrationStatus.DISABLED:
            integration.health_status = HealthStatus.UNKNOWN
            integration.health_message = "configuration saved"
            integration.consecutive_failures = 0
        integration.config_version = F("config_version") + 1
        integration.save()
    message = f"{gateway.label} configured."
    if tested:
        message = f"{message} Connection test: {tested}"
    _announce(integration_id)
    logger.info("integration %s configured", integration_id)
    return success(redact(message))


def enable(integration_id: str) -> ManageResult:
    """Start a configured integration: the gateway activates and the worker starts its monitor."""
    integration = _require(integration_id)
    gateway = _gateway(integration_id)
    if integration.status == IntegrationStatus.ACTIVE:
        return success(f"{gateway.label} is already active.")
    values = integration.attribute_values()
    missing = [spec.key for spec in gateway.attribute_specs if spec.required and not values.get(spec.key)]
    if missing:
        raise ConfigurationError(field_errors=dict.fromkeys(missing, "this value is required"),
                                 integration_id=integration_id)
    return _activate(integration, gateway, "enabled")


def _stop(integration: Integration, gateway: IntegrationGateway) -> None:
    """Deactivate; a gateway that fails to stop cleanly is logged, never blocks pausing or disabling."""
    try:
        result = gateway.deactivate(integration)
    except Exception as exc:
        logger.warning("%s did not stop cleanly: %s", integration.integration_id, redact(exc))
        return
    if result.get("status") != "success":
        logger.warning("%s did not stop cleanly: %s", integration.integration_id, redact(result.get("message")))


def _activate(integration: Integration, gateway: IntegrationGateway, verb: str) -> ManageResult:
    try:
        result = gateway.activate(integration)
    except IntegrationError:
        raise
    except Exception as exc:
        logger.exception("%s failed to activate", integration.integration_id)
        raise IntegrationError(redact(f"{gateway.label} could not start: {exc}"),
                               integration_id=integration.integration_id) from exc
    if result.get("status") != "success":
        raise IntegrationError(result.get("message") or f"{gateway.label} could not start",
                               integration_id=integration.integration_id)
    updates: dict[str, Any] = {"status": IntegrationStatus.ACTIVE, "updated_at": timezone.now()}
    if integration.health_status == HealthStatus.DISABLED:
        updates.update(health_status=HealthStatus.UNKNOWN, health_message=f"{verb}", consecutive_failures=0)
    Integration.objects.filter(pk=integration.pk).update(**updates)
    _announce(integration.integration_id)
    logger.info("integration %s %s", integration.integration_id, verb)
    return success(result.get("message") or f"{gateway.label} {verb}.", result.get("redirect"))


def pause(integration_id: str) -> ManageResult:
    """Stop the monitor but keep everything, so ``resume`` continues where it left off."""
    integration = _require(integration_id)
    gateway = _gateway(integration_id)
    if integration.status == IntegrationStatus.PAUSED:
        return success(f"{gateway.label} is already paused.")
    if integration.status != IntegrationStatus.ACTIVE:
        raise IntegrationError(f"{gateway.label} is not running ({integration.get_status_display().lower()}); "
                               "only an active integration can be paused", integration_id=integration_id)
    _stop(integration, gateway)
    Integration.objects.filter(pk=integration.pk).update(status=IntegrationStatus.PAUSED, updated_at=timezone.now())
    _announce(integration_id)
    return success(f"{gateway.label} paused.")


def resume(integration_id: str) -> ManageResult:
    integration = _require(integration_id)
    gateway = _gateway(integration_id)
    if integration.status == IntegrationStatus.ACTIVE:
        return success(f"{gateway.label} is already active.")
    if integration.status != IntegrationStatus.PAUSED:
        raise IntegrationError(f"{gateway.label} is not paused ({integration.get_status_display().lower()}); "
                               "use enable instead", integration_id=integration_id)
    return _activate(integration, gateway, "resumed")


def _mode(mode: DisableMode | str) -> DisableMode:
    try:
        return DisableMode(mode)
    except ValueError:
        raise ConfigurationError(f"disable mode must be one of: {', '.join(DisableMode.values)} (not {mode!r})",
                                 field_errors={"mode": "choose safe or all"}) from None


def _partition(integration_id: str, mode: DisableMode) -> tuple[list[Entity], list[Entity]]:
    """(to remove, to keep detached) for disabling in ``mode``."""
    entities = list(Entity.objects.filter(integration_entity_filter(integration_id)).order_by("name", "id"))
    if mode == DisableMode.ALL:
        return entities, []
    owned = entities_with_user_data(entities, integration_id)
    return [e for e in entities if e.pk not in owned], [e for e in entities if e.pk in owned]


def disable_preview(integration_id: str, mode: DisableMode | str = DisableMode.SAFE) -> dict[str, Any]:
    """What ``disable`` would do, for a confirmation page: counts and names."""
    chosen = _mode(mode)
    remove, keep = _partition(integration_id, chosen)
    return {"integration_id": integration_id, "mode": str(chosen), "remove": len(remove), "detach": len(keep),
            "remove_names": [e.name for e in remove], "detach_names": [e.name for e in keep]}


def disable(integration_id: str, mode: DisableMode | str = DisableMode.SAFE) -> ManageResult:
    """Stop the integration; ``safe`` keeps entities with user data (detached), ``all`` removes every one."""
    chosen = _mode(mode)
    integration = _require(integration_id)
    gateway = _gateway(integration_id)
    _stop(integration, gateway)
    with transaction.atomic():
        remove, keep = _partition(integration_id, chosen)
        keep_ids = [e.pk for e in keep if e.integration_id is not None]
        for entity in keep:
            entity.detach()
        Entity.objects.bulk_update(keep, ["integration_id", "integration_name", "detached_key"], batch_size=500)
        for model in (Sensor, Controller):
            rows = list(model.objects.filter(entity_state__entity_id__in=keep_ids, integration_id=integration_id))
            for row in rows:
                row.detach()
            model.objects.bulk_update(rows, ["integration_id", "integration_name", "detached_key"], batch_size=500)
        ids = [e.pk for e in remove]
        for start in range(0, len(ids), 500):
            Entity.objects.filter(pk__in=ids[start:start + 500]).delete()
        publish_entity_changes([(e.pk, e.name, "detached", e.detached_key) for e in keep if e.pk in keep_ids]
                               + [(e.pk, e.name, "removed", str(e.integration_key or e.detached_key)) for e in remove])
        Integration.objects.filter(pk=integration.pk).update(
            status=IntegrationStatus.DISABLED, health_status=HealthStatus.DISABLED,
            health_message="disabled", consecutive_failures=0, updated_at=timezone.now())
    _announce(integration_id)
    logger.info("integration %s disabled (%s): %d removed, %d kept", integration_id, chosen, len(remove), len(keep))
    return success(f"{gateway.label} disabled: {len(remove)} entities removed, "
                   f"{len(keep)} kept (detached, they carry your changes).")
