"""What a rule firing does: record the alert (one per incident), queue deliveries, request control.

Runs in one transaction right after the pipeline's commit; nothing here talks to the network.
Deliveries are rows the notifier sends from the worker; control requests go to a small thread
pool after commit, so neither can slow the pipeline down.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections, transaction

from hi.apps.entity.enums import EntityType
from hi.apps.entity.models import EntityState
from hi.apps.event.models import Event
from hi.apps.household.timezones import local_text

from . import live
from .alerts import stream_json
from .compiled import Firing
from .enums import AlertStatus, level_at_least
from .models import Alarm, Alert, Channel, Delivery

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
delivery_listeners: list[Any] = []  # callables woken when deliveries are queued (the notifier)


def _control_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hi-alarm-control")
        return _executor


def fire(firing: Firing) -> Alert | None:
    """Record one firing (inside the caller's transaction); returns the alert it went into, if any."""
    rule = firing.rule
    kinds = {action["type"] for action in rule.actions}
    alert: Alert | None = None
    if kinds & {"alert", "notify"}:
        alert = _record_alert(firing)
    for action in rule.actions:
        if action["type"] == "notify" and alert is not None:
            queue_deliveries(alert, firing.mode, action.get("channels") or [])
        elif action["type"] == "control":
            transaction.on_commit(functools.partial(
                _control_executor().submit, _control, action["controller"], action["value"], rule.name))
    return alert


def _record_alert(firing: Firing) -> Alert:
    rule, now = firing.rule, firing.at
    states = list(EntityState.objects.filter(id__in=rule.state_ids).values_list(
        "id", "entity_id", "entity__name", "entity__entity_type"))
    entities = {entity_id: (name, kind) for _sid, entity_id, name, kind in states}
    alert = (Alert.objects.select_for_update().filter(rule_id=rule.id, status=AlertStatus.OPEN)
             .order_by("-id").first())
    event_ids = list(Event.objects.filter(entity_state_id__in=rule.state_ids, end__isnull=True)
                     .order_by("id").values_list("id", flat=True))
    expires = now + dt.timedelta(minutes=rule.expire_minutes) if rule.expire_minutes else None
    if alert is None:
        camera = next((eid for eid, (_name, kind) in entities.items() if kind == EntityType.CAMERA), None)
        alert = Alert.objects.create(rule_id=rule.id, rule_name=rule.name, level=rule.level, opened_at=now,
                                     last_fired_at=now, expires_at=expires, event_ids=event_ids,
                                     camera_entity_id=camera, mode=firing.mode)
        alert.entities.set(list(entities))
    else:
        alert.last_fired_at = now
        alert.expires_at = expires
        alert.event_ids = list(dict.fromkeys([*alert.event_ids, *event_ids]))
        alert.save(update_fields=["last_fired_at", "expires_at", "event_ids"])
    Alarm.objects.create(alert=alert, fired_at=now, values={str(k): v for k, v in firing.values.items()})
    live.publish("alert", stream_json(alert, [{"id": eid, "name": name} for eid, (name, _k) in entities.items()]))
    return alert


def queue_deliveries(alert: Alert, mode: str, names: list[str]) -> list[Delivery]:
    """One pending delivery per channel that wants this level (and mode); the notifier sends them."""
    channels = Channel.objects.filter(enabled=True)
    if names:
        channels = channels.filter(name__in=names)
    chosen = [c for c in channels if level_at_least(alert.level, c.min_level) and (not c.modes or mode in c.modes)]
    if not chosen:
        return []
    title = f"[{alert.level.upper()}] {alert.rule_name}"
    names_text = ", ".join(e.name for e in alert.entities.all())
    body = f"{alert.rule_name}: {names_text}\nLevel: {alert.level}\nMode: {mode}\nAt: {local_text(alert.last_fired_at)}"
    attachment = f"camera:{alert.camera_entity_id}" if alert.camera_entity_id else ""
    rows = Delivery.objects.bulk_create([
        Delivery(alert=alert, channel=c, title=title, body=body, attachment=attachment, created_at=alert.last_fired_at,
                 next_attempt_at=alert.last_fired_at) for c in chosen])
    transaction.on_commit(wake_notifier)
    return rows


def wake_notifier() -> None:
    for listener in list(delivery_listeners):
        try:
            listener()
        except Exception:
            logger.exception("waking the notifier failed")


def _control(controller_id: int, value: Any, rule_name: str) -> None:
    """Through the normal dispatch: validation, the gateway, ControllerHistory and its confirmation."""
    from hi.apps.control.dispatch import dispatch_control
    from hi.apps.control.models import Controller

    close_old_connections()
    try:
        controller = Controller.objects.get(pk=controller_id)
        dispatch_control(controller, value, requested_by=f"rule:{rule_name}"[:150])
    except Exception as exc:
        logger.warning("rule %s could not set controller %s: %s", rule_name, controller_id, exc)
    finally:
        close_old_connections()
