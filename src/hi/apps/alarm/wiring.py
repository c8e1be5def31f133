"""Connections made when Django starts: the pipeline hook, rule-edit invalidation, defaults on sync, worker tasks.

Rules are evaluated inside each pipeline batch's transaction (one commit for readings and alerts);
the pipeline runs the hook in a savepoint, so an alarm failure never costs the readings.

Through hooks the lower layers offer (pipeline listeners, the sync signal, worker background
tasks), so sense, the framework and the worker never import the alarm app.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save


def _rule_changed(sender: type, **kwargs: Any) -> None:
    from .engine import get_engine

    get_engine().invalidate()


def _sync_applied(sender: Any, integration_id: str, **kwargs: Any) -> None:
    from .defaults import ensure_defaults

    ensure_defaults(integration_id)


def _on_changes(changes: list[Any]) -> None:
    from .engine import get_engine

    get_engine().on_changes(changes)


def _rolled_back() -> None:
    from .engine import get_engine

    get_engine().invalidate()  # its in-memory runtime counted writes that did not commit: reload


def connect() -> None:
    from hi.apps.monitor.worker import register_background_task
    from hi.apps.sense.pipeline import add_change_listener
    from hi.integrations.signals import sync_applied

    from . import runner
    from .models import Rule

    add_change_listener(_on_changes, in_transaction=True, rolled_back=_rolled_back)
    post_save.connect(_rule_changed, sender=Rule, dispatch_uid="alarm-rule-saved")
    post_delete.connect(_rule_changed, sender=Rule, dispatch_uid="alarm-rule-deleted")
    sync_applied.connect(_sync_applied, dispatch_uid="alarm-defaults")
    register_background_task("alarm-ticker", runner.run_ticker)
    register_background_task("alarm-notifier", runner.run_notifier)
