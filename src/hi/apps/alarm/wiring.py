"""Connections made when Django starts: the pipeline hook, rule-edit invalidation, defaults on sync, worker tasks.

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


def connect() -> None:
    from hi.apps.monitor.worker import register_background_task
    from hi.apps.sense.pipeline import add_change_listener
    from hi.integrations.signals import sync_applied

    from . import runner
    from .models import Rule

    add_change_listener(_on_changes)
    post_save.connect(_rule_changed, sender=Rule, dispatch_uid="alarm-rule-saved")
    post_delete.connect(_rule_changed, sender=Rule, dispatch_uid="alarm-rule-deleted")
    sync_applied.connect(_sync_applied, dispatch_uid="alarm-defaults")
    register_background_task("alarm-ticker", runner.run_ticker)
    register_background_task("alarm-notifier", runner.run_notifier)
