"""What the live monitor submits: responses for changed states only, and whether HA's entity set drifted.

A full snapshot (after a reconnect, or a poll) is compared per entity with what was last submitted,
so a 5,000-entity home costs responses only for the entities that actually changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from hi.integrations.sensor_response import SensorResponse

from .client.models import HassState, StateChange
from .client.registry import Registries
from .client.rest import StatesResult
from .hass_converter import Allowlist, build_inventory, exclusion, responses_for
from .hass_states import INTEGRATION_ID, split_key_name

Signature = tuple[str, object]


def recorded_times() -> dict[str, dt.datetime]:
    """Per Home Assistant entity, the newest HA time we recorded for it (where a replay would start)."""
    from django.db.models import Max

    from hi.apps.sense.models import Sensor

    times: dict[str, dt.datetime] = {}
    rows = (Sensor.objects.filter(integration_id=INTEGRATION_ID, last_response_at__isnull=False)
            .values("integration_name").annotate(newest=Max("last_response_at")))
    for row in rows:
        entity_id = split_key_name(row["integration_name"])[0]
        if entity_id not in times or row["newest"] > times[entity_id]:
            times[entity_id] = row["newest"]
    return times


def known_entity_ids() -> set[str]:
    """The Home Assistant entity ids our sensors observe (what the last sync imported)."""
    from hi.apps.sense.models import Sensor

    names = Sensor.objects.filter(integration_id=INTEGRATION_ID).values_list("integration_name", flat=True)
    return {split_key_name(name)[0] for name in names}


def sync_plan_changes(result: StatesResult, registries: Registries, tracker: LiveStateTracker) -> bool:
    """Whether a sync of these states and registries would change what is imported (a read-only plan)."""
    from hi.integrations.sync.plan import plan_sync

    inventory = build_inventory(result.states, tracker.allowlist, tracker.temperature_unit,
                                complete=result.skipped == 0,
                                registries=registries if registries.available else None,
                                include_hidden=tracker.include_hidden)
    return not plan_sync(INTEGRATION_ID, inventory).is_empty


@dataclass
class SnapshotDelta:
    """What to submit from a full listing, and the allowed entity ids it holds (to check for drift)."""

    responses: list[SensorResponse]
    signatures: dict[str, Signature]
    seen: set[str] = field(default_factory=set)


def drift_reason(added: set[str], removed: set[str]) -> str:
    """Why a sync is needed, for people: counts and one example of each."""
    parts = []
    if added:
        parts.append(f"{len(added)} new in Home Assistant (e.g. {min(added)})")
    if removed:
        parts.append(f"{len(removed)} gone from Home Assistant (e.g. {min(removed)})")
    return "; ".join(parts)


class LiveStateTracker:
    """Per-entity signature of the last submitted state, and the set of imported entity ids."""

    def __init__(self, allowlist: Allowlist, temperature_unit: str = "°C",
                 known_ids: Iterable[str] = (), recorded: dict[str, dt.datetime] | None = None, *,
                 registries: Registries | None = None, include_hidden: bool = False) -> None:
        self.allowlist = allowlist
        self.temperature_unit = temperature_unit
        self.known_ids: set[str] = set(known_ids)
        self.submitted: dict[str, Signature] = {}
        self.registries = registries
        self.include_hidden = include_hidden
        self.recorded: dict[str, dt.datetime] = dict(recorded or {})

    def imports(self, state: HassState) -> bool:
        """Whether a sync imports this state (allowlist, registry's disabled/hidden, mapped domain)."""
        return exclusion(state, self.allowlist, self.registries, self.include_hidden) is None

    def last_known(self, entity_id: str) -> dt.datetime | None:
        """The HA time of the newest state of ``entity_id`` we recorded (None: nothing to replay from)."""
        signature = self.submitted.get(entity_id)
        if signature is not None and isinstance(signature[1], dt.datetime):
            return signature[1]
        return self.recorded.get(entity_id)

    def gaps(self, states: Iterable[HassState]) -> dict[str, dt.datetime]:
        """Entities a full listing shows changed since we last heard of them, each with when that was.

        Only these can hide changes we never saw (several while we were away, the listing holding
        the last one only); the recorder's history of just them fills the gap.
        """
        found: dict[str, dt.datetime] = {}
        for state in states:
            known = self.last_known(state.entity_id)
            if (known is not None and state.last_updated is not None and state.last_updated > known
                    and self.imports(state)):
                found[state.entity_id] = known
        return found

    def replayed(self, state: HassState) -> list[SensorResponse]:
        """Responses for one state out of the recorder's history."""
        return responses_for(state, self.temperature_unit) if self.imports(state) else []

    @staticmethod
    def signature(state: HassState) -> Signature:
        return state.state, state.last_updated or repr(sorted(state.attributes.items()))

    def delta(self, states: Iterable[HassState]) -> SnapshotDelta:
        """Responses for every allowed state that changed since it was last submitted."""
        responses: list[SensorResponse] = []
        signatures: dict[str, Signature] = {}
        seen: set[str] = set()
        for state in states:
            if not self.imports(state):
                continue
            seen.add(state.entity_id)
            signature = self.signature(state)
            if self.submitted.get(state.entity_id) == signature:
                continue
            signatures[state.entity_id] = signature
            responses.extend(responses_for(state, self.temperature_unit))
        return SnapshotDelta(responses, signatures, seen)

    def change(self, change: StateChange) -> list[SensorResponse]:
        """Responses for one ``state_changed`` event (none when the entity is not allowed or was removed)."""
        new = change.new_state
        if new is None or not self.imports(new):
            return []
        return responses_for(new, self.temperature_unit)

    def snapshot_drift(self, seen: set[str]) -> str:
        """A reason when the allowed entity ids of a full listing differ from what is imported."""
        return drift_reason(seen - self.known_ids, self.known_ids - seen)

    def remember(self, signatures: dict[str, Signature]) -> None:
        """Note what was submitted — for imported entities only: the pipeline skipped the others, so
        once a sync imports (or reconnects) them the next listing must submit them again."""
        self.submitted.update((entity_id, signature) for entity_id, signature in signatures.items()
                              if entity_id in self.known_ids)

    def membership_changed(self, change: StateChange) -> str:
        """A reason when the event adds an allowed entity we have not imported, or removes one we have."""
        if (change.added and change.new_state is not None and self.imports(change.new_state)
                and change.entity_id not in self.known_ids):
            return f"{change.entity_id} was added in Home Assistant"
        if change.removed and change.entity_id in self.known_ids:
            return f"{change.entity_id} was removed from Home Assistant"
        return ""
