"""Builders shared by the alarm tests: devices, rules, and changes as the pipeline reports them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hi.apps.alarm.models import Rule
from hi.apps.alarm.rules import create_rule
from hi.apps.entity.tests.factories import Device
from hi.apps.sense.live.bus import StateChange

T0 = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)  # a Wednesday, noon UTC


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def change(device: Device, value: Any, seconds: float = 0, previous: Any = None) -> StateChange:
    """What the pipeline publishes after committing ``value`` (the state row is updated too)."""
    device.state.value = value
    device.state.value_updated_at = at(seconds)
    device.state.save(update_fields=["value", "value_updated_at"])
    return StateChange(entity_id=device.entity.pk, state_id=device.state.pk, integration_keys=(device.sensor.name,),
                       value=value, previous_value=previous, timestamp=at(seconds))


def rule(name: str, conditions: list[dict[str, Any]], **fields: Any) -> Rule:
    data = {"name": name, "conditions": conditions, "modes": ["day", "night", "away"], "level": "warning",
            "actions": [{"type": "alert"}]} | fields
    return Rule.objects.get(pk=create_rule(data)["id"])
