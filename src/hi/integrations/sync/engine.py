"""The sync engine: fetch an integration's inventory, plan, and apply the plan in one transaction.

``plan_sync`` (in ``plan.py``) only reads; ``apply_sync`` writes the plan with bulk statements;
``run_sync`` is what the CLI, API and UI call.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from hi.apps.control.models import Controller
from hi.apps.entity.live import publish_entity_changes
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.apps.sense.models import Sensor
from hi.utils.redaction import redact

from .. import integration_factory
from ..enums import IntegrationStatus
from ..exceptions import DataValidationError, IntegrationError
from ..models import Integration
from ..signals import sync_applied
from .inventory import Inventory
from .plan import SyncPlan, plan_sync

__all__ = ["SyncPlan", "SyncReport", "apply_sync", "plan_sync", "run_sync"]

logger = logging.getLogger(__name__)
_BATCH = 500
_DELETE_ORDER = (EntityAttribute, Sensor, Controller, EntityState, Entity)
_UPDATE_ORDER = (Entity, EntityState, Sensor, Controller)


@dataclass
class SyncReport:
    """What a sync did (or, for a dry run, would do); ``to_dict`` is the JSON the CLI/API/UI show."""

    plan: SyncPlan
    dry_run: bool
    applied: bool
    started_at: dt.datetime = field(default_factory=timezone.now)
    duration_ms: float = 0.0
    values_refreshed: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return self.plan.counts

    @property
    def changed_nothing(self) -> bool:
        return self.plan.is_empty

    def to_dict(self) -> dict[str, Any]:
        return {**self.plan.to_dict(), "dry_run": self.dry_run, "applied": self.applied,
                "values_refreshed": self.values_refreshed,
                "started_at": self.started_at.isoformat(), "duration_ms": round(self.duration_ms, 1)}


def _delete(model: type, ids: set[int]) -> None:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _BATCH):
        model.objects.filter(pk__in=ordered[start:start + _BATCH]).delete()


def apply_sync(plan: SyncPlan) -> SyncReport:
    """Write ``plan`` in one transaction: creates, then updates (moves included), then deletions."""
    started = time.perf_counter()
    report = SyncReport(plan=plan, dry_run=False, applied=True)
    with transaction.atomic():
        for location in plan.new_locations:  # few, and each needs its parent's id: one by one, parents first
            location.save()
        Entity.objects.bulk_create(plan.new_entities, batch_size=_BATCH)
        EntityState.objects.bulk_create(plan.new_states, batch_size=_BATCH)
        Sensor.objects.bulk_create(plan.new_sensors, batch_size=_BATCH)
        Controller.objects.bulk_create(plan.new_controllers, batch_size=_BATCH)
        EntityAttribute.objects.bulk_create(plan.new_attributes, batch_size=_BATCH)
        for row, state in plan.links:
            row.entity_state = state
        for model in _UPDATE_ORDER:
            rows = list(plan.changed[model].values())
            if rows:
                model.objects.bulk_update(rows, sorted(plan.changed_fields[model]), batch_size=_BATCH)
        for model in _DELETE_ORDER:
            if plan.deleted[model]:
                _delete(model, plan.deleted[model])
        _publish_entity_changes(plan)
        sync_applied.send(sender=apply_sync, integration_id=plan.integration_id)
    report.duration_ms = (time.perf_counter() - started) * 1000.0
    logger.info("sync %s applied: %s", plan.integration_id, plan.counts)
    return report


_LIVE_CHANGES = {"detach": "detached", "reconnect": "reconnected", "remove": "removed"}


def _publish_entity_changes(plan: SyncPlan) -> None:
    """Open pages and stream readers hear of entities detached, reconnected or removed (``entity`` events)."""
    publish_entity_changes((action.entity_id, action.name, _LIVE_CHANGES[action.action], action.key)
                           for action in plan.actions
                           if action.action in _LIVE_CHANGES and action.entity_id is not None)


def refresh_values(integration_id: str, inventory: Inventory, fetched_at: dt.datetime) -> int:
    """Give every state the value the inventory reports, where it differs; returns how many changed.

    A state that was detached (or whose monitor missed a change) would otherwise keep an old value
    until its next change. One that received a value since the inventory was fetched keeps it: that
    value is newer. History is left to the monitor, which reports the change with its own time.
    """
    wanted = {(entity.key.integration_name, state.state_key): _json_value(state.value)
              for entity in inventory.entities for state in entity.states if state.value is not None}
    if not wanted:
        return 0
    rows = (EntityState.objects.filter(entity__integration_id=integration_id)
            .values_list("id", "entity__integration_name", "state_key", "value", "value_updated_at"))
    stale: list[EntityState] = []
    for state_id, entity_name, state_key, value, updated_at in rows:
        current = wanted.get((entity_name, state_key), value)
        if _differs(current, value) and (updated_at is None or updated_at <= fetched_at):
            stale.append(EntityState(id=state_id, value=current))
    for start in range(0, len(stale), _BATCH):
        EntityState.objects.bulk_update(stale[start:start + _BATCH], ["value"])
    if stale:
        logger.info("sync %s: %d values refreshed from the inventory", integration_id, len(stale))
    return len(stale)


def _differs(a: Any, b: Any) -> bool:
    """Inequality that does not take True for 1."""
    return a != b or (isinstance(a, bool) != isinstance(b, bool))


def _json_value(value: Any) -> Any:
    """The value as a JSONField gives it back, so it compares exactly with stored ones."""
    return json.loads(json.dumps(value, default=str))


def _syncable(integration_id: str) -> Integration:
    integration = Integration.objects.filter(integration_id=integration_id).first()
    if integration is None or integration.status == IntegrationStatus.NOT_CONFIGURED:
        raise IntegrationError(f"integration {integration_id} is not configured; configure it first",
                               integration_id=integration_id)
    if integration.status == IntegrationStatus.DISABLED:
        raise IntegrationError(f"integration {integration_id} is disabled; enable it to sync",
                               integration_id=integration_id)
    return integration


def run_sync(integration_id: str, dry_run: bool = False, remove_missing: bool = False) -> SyncReport:
    """Fetch the integration's inventory with its stored settings, plan, and apply unless ``dry_run``."""
    started = time.perf_counter()
    integration = _syncable(integration_id)
    synchronizer = integration_factory.get_gateway(integration_id).get_synchronizer()
    if synchronizer is None:
        raise IntegrationError(f"integration {integration_id} has nothing to sync", integration_id=integration_id)
    fetched_at = timezone.now()
    try:
        inventory = synchronizer.fetch_inventory(integration.attribute_values())
    except IntegrationError:
        raise
    except Exception as exc:  # a synchronizer bug or an unexpected payload must not escape as a crash
        logger.exception("sync %s: fetching the inventory failed", integration_id)
        raise DataValidationError(redact(f"fetching the inventory failed: {exc}"),
                                  integration_id=integration_id) from exc
    if not isinstance(inventory, Inventory) or inventory.integration_id != integration_id:
        raise DataValidationError(f"integration {integration_id} returned an unusable inventory",
                                  integration_id=integration_id)
    with transaction.atomic():
        plan = plan_sync(integration_id, inventory, remove_missing=remove_missing)
        if dry_run:
            report = SyncReport(plan=plan, dry_run=True, applied=False)
        else:
            report = apply_sync(plan)
            report.values_refreshed = refresh_values(integration_id, inventory, fetched_at)
            Integration.objects.filter(pk=integration.pk).update(
                last_sync_at=timezone.now(), needs_sync=False, needs_sync_reason="", updated_at=timezone.now())
    report.duration_ms = (time.perf_counter() - started) * 1000.0
    return report
