"""Whether each state's value is current: available (its source can be trusted now) and stale (unconfirmed too long).

One rule for every surface — cards, entity pages, camera tiles, the API and the CLI — computed from the
integrations' stored lifecycle and health (the issue-11 health is the input; nothing here re-derives it):

- **unavailable**: the entity is detached; its integration is not set up, paused, disabled or in ERROR;
  or the source itself says the value is unavailable/unknown. ``reason`` says why in words.
- **stale**: available, but nothing from its integration has confirmed values for longer than the
  integration's expected cycle (``IntegrationGateway.expected_cycle_seconds``) times ``STALE_FACTOR``
  plus ``STALE_GRACE_SECONDS`` — a stopped worker or a silent connection shows here.

An ``AvailabilityIndex`` reads every Integration row once (a handful), so a page of N states costs the
same single query whatever N is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .enums import UNKNOWN_VALUES

STALE_FACTOR = 2.0
STALE_GRACE_SECONDS = 10.0
DEFAULT_CYCLE_SECONDS = 60.0


@dataclass(frozen=True)
class Availability:
    """``reason`` is a sentence for people ('' when available and fresh); ``since`` when it began, if known."""

    available: bool
    stale: bool
    reason: str = ""
    since: dt.datetime | None = None

    @property
    def current(self) -> bool:
        return self.available and not self.stale

    def as_json(self) -> dict[str, Any]:
        return {"available": self.available, "stale": self.stale, "unavailable_reason": self.reason or None}


AVAILABLE = Availability(True, False)


def format_clock(moment: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """'14:02' today, 'Nov 29 14:02' on another day: in the active (household) time zone."""
    if moment is None:
        return ""
    local, today = timezone.localtime(moment), timezone.localtime(now or timezone.now())
    return local.strftime("%H:%M") if local.date() == today.date() else local.strftime("%b %d %H:%M")


@dataclass(frozen=True)
class IntegrationAvailability:
    """What one integration's lifecycle and health mean for every state it provides."""

    integration_id: str
    label: str
    availability: Availability

    def as_json(self) -> dict[str, Any]:
        return {"integration_id": self.integration_id, "label": self.label, **self.availability.as_json()}


def _label_and_cycle(integration_id: str) -> tuple[str, float]:
    from hi.integrations import integration_factory

    try:
        gateway_class = integration_factory.get_gateway_class(integration_id)
    except Exception:  # an integration whose code is gone still has rows: show its id
        return integration_id, DEFAULT_CYCLE_SECONDS
    return (getattr(gateway_class, "label", integration_id) or integration_id,
            float(getattr(gateway_class, "expected_cycle_seconds", DEFAULT_CYCLE_SECONDS)))


def integration_availability(integration: Any, integration_id: str, now: dt.datetime) -> IntegrationAvailability:
    """The availability an integration (its row, or None when never configured) gives its states."""
    from hi.integrations.enums import HealthStatus, IntegrationStatus

    label, cycle = _label_and_cycle(integration_id)
    if integration is None or integration.status == IntegrationStatus.NOT_CONFIGURED:
        return IntegrationAvailability(integration_id, label, Availability(False, False, f"{label} is not set up"))
    if integration.status == IntegrationStatus.DISABLED:
        return IntegrationAvailability(integration_id, label, Availability(False, False, f"{label} is disabled"))
    if integration.status == IntegrationStatus.PAUSED:
        since = integration.updated_at
        return IntegrationAvailability(integration_id, label, Availability(False, False, f"{label} is paused", since))
    last_ok = integration.last_success_at
    if integration.health_status == HealthStatus.ERROR:
        since = last_ok or integration.last_error_at
        words = (f"{label} needs new credentials" if "credentials" in (integration.health_message or "")
                 else f"{label} is unreachable")
        if since is not None:
            words += f" since {format_clock(since, now)}"
        return IntegrationAvailability(integration_id, label, Availability(False, False, words, since))
    confirmed = last_ok
    if integration.health_status == HealthStatus.HEALTHY and integration.heartbeat_at is not None:
        confirmed = max(filter(None, [last_ok, integration.heartbeat_at]))
    limit = cycle * STALE_FACTOR + STALE_GRACE_SECONDS
    if confirmed is None or (now - confirmed).total_seconds() > limit:
        words = (f"not confirmed by {label} since {format_clock(confirmed, now)}" if confirmed
                 else f"not confirmed by {label} yet")
        return IntegrationAvailability(integration_id, label, Availability(True, True, words, confirmed))
    return IntegrationAvailability(integration_id, label, AVAILABLE)


class AvailabilityIndex:
    """Availability of any number of states for one query (all Integration rows, read on first use)."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or timezone.now()
        self._by_integration: dict[str, IntegrationAvailability] | None = None
        self.rows: dict[str, Any] = {}

    def _integrations(self) -> dict[str, IntegrationAvailability]:
        if self._by_integration is None:
            from hi.integrations.models import Integration

            rows = self.rows = {row.integration_id: row for row in Integration.objects.all()}
            self._by_integration = {iid: integration_availability(row, iid, self.now) for iid, row in rows.items()}
        return self._by_integration

    def integration(self, integration_id: str) -> IntegrationAvailability:
        known = self._integrations()
        if integration_id not in known:
            known[integration_id] = integration_availability(None, integration_id, self.now)
        return known[integration_id]

    def integrations(self) -> list[IntegrationAvailability]:
        return list(self._integrations().values())

    def of_entity(self, entity: Any) -> Availability:
        """An entity's availability from its integration alone (hand-made entities are always available)."""
        if entity.integration_id:
            return self.integration(entity.integration_id).availability
        if getattr(entity, "detached_key", ""):
            source = entity.detached_key.split(":", 1)[0]
            label = self.integration(source).label if source else "its integration"
            return Availability(False, False, f"{label} no longer reports it")
        return AVAILABLE

    def of_state(self, entity: Any, state: Any) -> Availability:
        """A state's availability: its entity's, then what the source says of the value itself."""
        base = self.of_entity(entity)
        if not base.available:
            return base
        value = state.value
        if isinstance(value, str) and value.lower() in UNKNOWN_VALUES:
            label = self.integration(entity.integration_id).label if entity.integration_id else "Its source"
            words = f"{label} reports it unavailable" if value.lower() == "unavailable" else f"{label} does not know its value"
            return Availability(False, base.stale, words, state.value_updated_at)
        return base
