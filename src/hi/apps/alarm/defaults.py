"""Default rules that keep people safe, made when a sync creates or reconnects the states they watch.

Smoke, CO, gas and water: critical, life safety (every mode, Disabled included; snooze never
silences them). Motion and doors/windows opening: critical while Away, warning at Night. Battery
low: info. An integration's alerts state (the weather's): extreme alerts critical and life safety,
severe ones warning, in every mode, one alert per weather alert. Each default leaves a ``DefaultRuleMark`` keyed by the state's stable identity (entity
key + state key), so a rule the user deleted is never made again, and a state that comes back
after being removed gets its rule pointed at it again instead of a second rule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.enums import EntityType
from hi.apps.entity.models import EntityState

from .engine import get_engine
from .enums import Level, SecurityMode
from .incidents import ALERT_OP, is_alerts_state
from .models import DefaultRuleMark, Rule

logger = logging.getLogger(__name__)

ALL_MODES = list(SecurityMode.values)
BATTERY_LOW_PERCENT = 15


@dataclass(frozen=True)
class DefaultKind:
    kind: str
    label: str
    level: str
    modes: tuple[str, ...]
    op: str
    value: Any
    life_safety: bool = False


_LIFE_SAFETY = {
    S.SMOKE: DefaultKind("smoke", "smoke detected", Level.CRITICAL, tuple(ALL_MODES), "eq", "detected", True),
    S.CO: DefaultKind("co", "carbon monoxide detected", Level.CRITICAL, tuple(ALL_MODES), "eq", "detected", True),
    S.GAS: DefaultKind("gas", "gas detected", Level.CRITICAL, tuple(ALL_MODES), "eq", "detected", True),
    S.MOISTURE: DefaultKind("water", "water detected", Level.CRITICAL, tuple(ALL_MODES), "eq", "detected", True),
}
_INTRUSION = {
    S.MOVEMENT: ("motion", "motion", "active"),
    S.OPEN_CLOSE: ("opened", "opened", "open"),
}
_OPENINGS = {EntityType.DOOR, EntityType.WINDOW}


def kinds_for(state_type: str, entity_type: str) -> list[DefaultKind]:
    """The default rules a state of this type on this kind of entity gets."""
    if state_type in _LIFE_SAFETY:
        return [_LIFE_SAFETY[state_type]]
    if state_type in _INTRUSION and (state_type == S.MOVEMENT or entity_type in _OPENINGS):
        kind, label, value = _INTRUSION[state_type]
        return [DefaultKind(f"{kind}-away", f"{label} while away", Level.CRITICAL, (SecurityMode.AWAY,), "eq", value),
                DefaultKind(f"{kind}-night", f"{label} at night", Level.WARNING, (SecurityMode.NIGHT,), "eq", value)]
    if state_type == S.BATTERY_LEVEL:
        return [DefaultKind("battery", "battery low", Level.INFO, tuple(ALL_MODES), "below", BATTERY_LOW_PERCENT)]
    if state_type == S.HIGH_LOW:
        return [DefaultKind("battery", "battery low", Level.INFO, tuple(ALL_MODES), "eq", "low")]
    return []


_TYPES = [*_LIFE_SAFETY, *_INTRUSION, S.BATTERY_LEVEL, S.HIGH_LOW]

# An integration's alerts (the weather's NWS warnings), by severity: each alert is its own incident.
ALERT_KINDS = (
    DefaultKind("alerts-extreme", "extreme weather alert", Level.CRITICAL, tuple(ALL_MODES), ALERT_OP, "extreme",
                True),
    DefaultKind("alerts-severe", "severe weather alert", Level.WARNING, tuple(ALL_MODES), ALERT_OP, "severe"),
)


INTEGRATION_ERROR_SECONDS = 300


def ensure_integration_default(integration_id: str) -> bool:
    """A warning when the integration has been in error for five minutes (made once, like the others)."""
    key = f"integration-error|{integration_id}"
    if DefaultRuleMark.objects.filter(key=key).exists():
        return False
    condition = {"integration": integration_id, "op": "eq", "value": "error", "held_for": INTEGRATION_ERROR_SECONDS}
    rule = Rule.objects.create(name=f"{integration_id}: integration in error", level=Level.WARNING,
                               conditions=[condition], modes=[SecurityMode.DAY, SecurityMode.NIGHT, SecurityMode.AWAY],
                               actions=[{"type": "alert"}, {"type": "notify", "channels": []}], state_ids=[],
                               is_default=True)
    DefaultRuleMark.objects.create(key=key, rule=rule)
    return True


def ensure_defaults(integration_id: str | None = None) -> int:
    """Create the default rules still missing for an integration's states (all when None); returns how many."""
    made = 1 if integration_id is not None and ensure_integration_default(integration_id) else 0
    return made + _ensure_state_defaults(integration_id)


def _ensure_state_defaults(integration_id: str | None) -> int:
    states = EntityState.objects.filter(Q(state_type__in=_TYPES) | Q(state_type=S.BLOB, entity__integration_id__gt="")
                                        ).select_related("entity")
    if integration_id is not None:
        states = states.filter(entity__integration_id=integration_id)
    candidates: list[tuple[str, EntityState, DefaultKind]] = []
    for state in states:
        entity = state.entity
        entity_key = (f"{entity.integration_id}:{entity.integration_name}"
                      if entity.integration_id and entity.integration_name else entity.detached_key or f"#{entity.pk}")
        kinds = ALERT_KINDS if state.state_type == S.BLOB and is_alerts_state(state) else \
            kinds_for(state.state_type, entity.entity_type)
        for kind in kinds:
            candidates.append((f"{kind.kind}|{entity_key}|{state.state_key}"[:400], state, kind))
    if not candidates:
        return 0
    candidates = list(dict((c[0], c) for c in candidates).values())  # one rule per key
    with transaction.atomic():
        marks = {m.key: m for m in DefaultRuleMark.objects.filter(key__in=[c[0] for c in candidates])}
        missing = [(key, state, kind) for key, state, kind in candidates if key not in marks]
        # bulk inserts: a first sync of a large home makes thousands of defaults, one round trip per batch
        rules = Rule.objects.bulk_create([_build(state, kind) for _key, state, kind in missing], batch_size=500)
        DefaultRuleMark.objects.bulk_create(
            [DefaultRuleMark(key=key, rule=rule, state_id=state.pk) for (key, state, _kind), rule in zip(missing, rules, strict=True)],
            batch_size=500)
        for key, state, _kind in candidates:
            mark = marks.get(key)
            if mark is not None and mark.rule_id is not None and mark.state_id != state.pk:
                _repoint(mark, state)
        if missing:  # bulk_create sends no post_save: tell the engine its rule index changed
            transaction.on_commit(_rules_changed)
    if missing:
        logger.info("created %d default alarm rules", len(missing))
    return len(missing)


def _rules_changed() -> None:
    get_engine().invalidate()


def _build(state: EntityState, kind: DefaultKind) -> Rule:
    condition = {"state": state.pk, "op": kind.op, "value": kind.value}
    return Rule(
        name=f"{state.entity.name}: {kind.label}"[:200], level=kind.level, conditions=[condition],
        modes=list(kind.modes), life_safety=kind.life_safety, actions=[{"type": "alert"}, {"type": "notify",
                                                                                           "channels": []}],
        state_ids=[state.pk], is_default=True)


def _repoint(mark: DefaultRuleMark, state: EntityState) -> None:
    """The state was removed and made again (a new id): the user's rule follows it."""
    rule = Rule.objects.filter(pk=mark.rule_id).first()
    if rule is None:
        return
    rule.conditions = [{**c, "state": state.pk} if c.get("state") == mark.state_id else c for c in rule.conditions]
    rule.state_ids = sorted({c["state"] for c in rule.conditions})
    rule.save(update_fields=["conditions", "state_ids", "updated_at"])
    mark.state_id = state.pk
    mark.save(update_fields=["state_id"])
