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
from django.db.models import Max

from hi.apps.entity.enums import EntityType
from hi.apps.household.timezones import local_text
from hi.apps.sense.bulk import (  # plain executemany: the ORM's bulk_update costs more
    insert_values,
    update_rows,
)

from . import live, reads
from .alerts import stream_json
from .compiled import Firing
from .enums import level_at_least
from .models import Alarm, Alert, Channel, Delivery
from .snapshots import capture_after_commit

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
REMIND_AFTER_SECONDS = 600  # an open alert firing again notifies again only after this long
delivery_listeners: list[Any] = []  # callables woken when deliveries are queued (the notifier)


def _control_executor() -> ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hi-alarm-control")
        return _executor


def fire_many(firings: list[Firing]) -> list[Alert | None]:
    """Record the firings of one evaluation (inside the caller's transaction) in a fixed number of statements.

    Returns, per firing, the alert it went into (None for rules whose only action is control).
    """
    alerting = [f for f in firings if {a["type"] for a in f.rule.actions} & {"alert", "notify"}]
    alerts = _record_alerts(alerting) if alerting else {}
    notifying = any(a["type"] == "notify" for f in firings for a in f.rule.actions)
    last_sent = _last_notified({a.pk for a in alerts.values()}) if notifying else {}
    notified: set[int] = set()
    results: list[Alert | None] = []
    for firing in firings:
        alert = alerts.get(id(firing))
        results.append(alert)
        for action in firing.rule.actions:
            if action["type"] == "notify" and alert is not None and alert.pk not in notified:
                # a firing into an alert people were just told about is a repeat (a flapping motion
                # sensor): it is recorded as an Alarm, and notified again only as a reminder
                last = last_sent.get(alert.pk)
                if last is None or firing.at - last >= dt.timedelta(seconds=REMIND_AFTER_SECONDS):
                    queue_deliveries(alert, firing.mode, action.get("channels") or [])
                    notified.add(alert.pk)
            elif action["type"] == "control":
                transaction.on_commit(functools.partial(
                    _control_executor().submit, _control, action["controller"], action["value"], firing.rule.name))
    return results


def _last_notified(alert_ids: set[int]) -> dict[int, dt.datetime]:
    """When each alert last queued notifications (one query; new alerts have none)."""
    if not alert_ids:
        return {}
    return dict(Delivery.objects.filter(alert_id__in=alert_ids, is_test=False).values("alert_id")
                .annotate(last=Max("created_at")).values_list("alert_id", "last"))


def fire(firing: Firing) -> Alert | None:
    """Record one firing (inside the caller's transaction)."""
    return fire_many([firing])[0]


def _record_alerts(firings: list[Firing]) -> dict[int, Alert]:
    """Open or extend one alert per rule (one incident), add an Alarm per firing, announce each."""
    state_ids = {sid for f in firings for sid in f.rule.state_ids}
    # names are read here, in the firing's transaction, never cached: a renamed entity's alert says its new name
    entity_of = reads.state_entities(state_ids)
    open_events = reads.open_state_events(state_ids)
    existing = {(a.rule_id, a.incident): a for a in reads.open_alerts_for_update({f.rule.id for f in firings})}
    created: list[tuple[Alert, list[int]]] = []
    changed: dict[int, Alert] = {}
    result: dict[int, Alert] = {}
    entities_by_firing: dict[int, dict[int, tuple[str, str]]] = {}
    for firing in firings:
        rule, now = firing.rule, firing.at
        entities = {entity_of[sid][0]: entity_of[sid][1:] for sid in rule.state_ids if sid in entity_of}
        entities_by_firing[id(firing)] = entities
        event_ids = firing.event_ids if firing.event_ids is not None else [
            eid for sid in rule.state_ids for eid in open_events.get(sid, ())]
        expires = now + dt.timedelta(minutes=rule.expire_minutes) if rule.expire_minutes else None
        alert = existing.get((rule.id, firing.incident))
        if alert is None:
            camera = next((eid for eid, (_name, kind) in entities.items() if kind == EntityType.CAMERA), None)
            alert = existing[(rule.id, firing.incident)] = Alert(
                rule_id=rule.id, rule_name=rule.name, level=rule.level, opened_at=now, last_fired_at=now,
                expires_at=expires, event_ids=event_ids, camera_entity_id=camera, mode=firing.mode,
                incident=firing.incident[:200], detail=firing.detail[:300])
            created.append((alert, list(entities)))
        else:
            alert.last_fired_at, alert.expires_at = now, expires
            alert.event_ids = list(dict.fromkeys([*alert.event_ids, *event_ids]))
            if alert.pk is not None:
                changed[alert.pk] = alert
        result[id(firing)] = alert
    if created:
        Alert.objects.bulk_create([alert for alert, _ in created])  # their ids are needed below
        capture_after_commit([alert.pk for alert, _ in created if alert.camera_entity_id])
        insert_values(Alert.entities.through, ["alert", "entity"],
                      [(alert.pk, eid) for alert, entity_ids in created for eid in entity_ids])
    update_rows(Alert, list(changed.values()), ["last_fired_at", "expires_at", "event_ids"])
    insert_values(Alarm, ["alert", "fired_at", "values"],
                  [(result[id(f)].pk, f.at, {str(k): v for k, v in f.values.items()}) for f in firings])
    live.publish_many("alert", [
        stream_json(result[id(f)], [{"id": eid, "name": name} for eid, (name, _k) in
                                    entities_by_firing[id(f)].items()]) for f in firings])
    return result


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
    if alert.detail:
        title, body = f"{title}: {alert.detail}"[:300], f"{alert.detail}\n{body}"
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
