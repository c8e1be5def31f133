"""Alarms over the API: the security mode, alerts and acknowledging, rules, notification channels."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Body, Field, Router, Schema, Status

from hi.apps.alarm import alerts, modes, notify, rules
from hi.apps.alarm.enums import Level

from .auth import requested_by
from .schemas import Problem

router = Router()
RuleBody = Annotated[dict[str, Any], Body(...)]  # rule JSON as sent: parse_rule names any bad field


class ModeIn(Schema):
    mode: str | None = Field(None, description="disabled, day, night or away")
    for_minutes: int | None = Field(None, ge=1, le=modes.MAX_MINUTES,
                                    description="return to the previous mode after this many minutes")
    snooze_minutes: int | None = Field(None, ge=0, le=modes.MAX_MINUTES,
                                       description="silence non-life-safety rules (0 ends a snooze)")
    exit_delay_seconds: int | None = None
    schedule_enabled: bool | None = None
    day_starts: str | None = Field(None, description="HH:MM, household time")
    night_starts: str | None = None


class AckIn(Schema):
    note: str = ""


class ChannelIn(Schema):
    name: str
    url: str = Field(description="an Apprise URL; stored as a secret and never returned")
    level: str = Level.WARNING
    modes: list[str] = []


@router.get("/mode", tags=["alarm"], summary="The security mode, snooze, exit delay and schedule")
def get_mode(request: HttpRequest) -> dict[str, Any]:
    return modes.mode_json() | {"history": modes.history(20)}


@router.put("/mode", response={200: dict, 400: Problem}, tags=["alarm"],
            summary="Change the mode (and/or snooze, exit delay, schedule); recorded with who did it")
def put_mode(request: HttpRequest, payload: ModeIn) -> dict[str, Any]:
    by = requested_by(request)
    if any(v is not None for v in (payload.exit_delay_seconds, payload.schedule_enabled, payload.day_starts,
                                   payload.night_starts)):
        modes.configure(by, exit_delay_seconds=payload.exit_delay_seconds, schedule_enabled=payload.schedule_enabled,
                        day_starts=payload.day_starts, night_starts=payload.night_starts)
    if payload.mode is not None:
        modes.set_mode(payload.mode, by, for_minutes=payload.for_minutes)
    if payload.snooze_minutes is not None:
        modes.snooze(payload.snooze_minutes, by)
    return modes.mode_json()


@router.get("/alerts", tags=["alarm"], summary="Alerts, newest first (open ones only with ?open=true)")
def list_alerts(request: HttpRequest, open: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    return alerts.list_alerts(open_only=open, limit=max(1, min(limit, 1000)))


@router.get("/alerts/{alert_id}", response={200: dict, 404: Problem}, tags=["alarm"], summary="One alert")
def get_alert(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    return alerts.alert_json(alerts.get_alert(alert_id))


@router.post("/alerts/{alert_id}/ack", response={200: dict, 400: Problem, 404: Problem}, tags=["alarm"],
             summary="Acknowledge an open alert (who and when are recorded, with an optional note)")
def ack_alert(request: HttpRequest, alert_id: int, payload: AckIn | None = None) -> dict[str, Any]:
    return alerts.acknowledge(alert_id, requested_by(request), payload.note if payload else "")


@router.get("/rules", tags=["alarm"], summary="Every rule")
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    return rules.list_rules()


@router.post("/rules", response={201: dict, 400: Problem}, tags=["alarm"],
             summary="Create a rule: {name, conditions, modes, level, actions, …}; 400 names the bad field")
def create_rule(request: HttpRequest, payload: RuleBody) -> Any:
    return Status(201, rules.create_rule(payload))


@router.get("/rules/{rule_id}", response={200: dict, 404: Problem}, tags=["alarm"], summary="One rule")
def get_rule(request: HttpRequest, rule_id: int) -> dict[str, Any]:
    return rules.rule_json(rules.get_rule(rule_id))


@router.put("/rules/{rule_id}", response={200: dict, 400: Problem, 404: Problem}, tags=["alarm"],
            summary="Replace a rule (the whole rule as JSON)")
def put_rule(request: HttpRequest, rule_id: int, payload: RuleBody) -> dict[str, Any]:
    return rules.update_rule(rule_id, payload)


@router.delete("/rules/{rule_id}", response={204: None, 404: Problem}, tags=["alarm"], summary="Delete a rule")
def delete_rule(request: HttpRequest, rule_id: int) -> Any:
    rules.delete_rule(rule_id)
    return Status(204, None)


@router.get("/rules/{rule_id}/test", response={200: dict, 404: Problem}, tags=["alarm"],
            summary="What would fire now (nothing is recorded)")
def test_rule(request: HttpRequest, rule_id: int) -> dict[str, Any]:
    return rules.test_rule(rule_id)


@router.get("/channels", tags=["alarm"], summary="Notification channels (never their URLs)")
def list_channels(request: HttpRequest) -> list[dict[str, Any]]:
    return notify.list_channels()


@router.post("/channels", response={201: dict, 400: Problem}, tags=["alarm"],
             summary="Add a channel with an Apprise URL (write-only)")
def add_channel(request: HttpRequest, payload: ChannelIn) -> Any:
    return Status(201, notify.add_channel(payload.name, payload.url, payload.level, payload.modes))


@router.delete("/channels/{name}", response={204: None, 404: Problem}, tags=["alarm"], summary="Remove a channel")
def remove_channel(request: HttpRequest, name: str) -> Any:
    notify.remove_channel(name)
    return Status(204, None)


@router.post("/channels/{name}/test", response={200: dict, 404: Problem}, tags=["alarm"],
             summary="Send a test notification now; reports the real outcome")
def test_channel(request: HttpRequest, name: str) -> dict[str, Any]:
    return notify.send_test(name, requested_by(request))
