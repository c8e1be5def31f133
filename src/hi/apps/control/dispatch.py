"""Control dispatch: validate a requested value, hand it to the owning gateway, record what happened.

Every request leaves a ControllerHistory row (who asked, what, outcome, latency). A request
the external system accepted stays ``sent`` until a sensor response carrying the expected
value confirms it (``confirmation.confirm_pending_controls``) or a timeout marks it ``unconfirmed``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from hi.apps.entity.enums import EntityStateType, binary_values, default_value_range, is_numeric
from hi.apps.entity.models import EntityState
from hi.integrations import integration_factory
from hi.integrations.enums import IntegrationStatus
from hi.integrations.exceptions import ControlError, IntegrationError
from hi.integrations.keys import IntegrationKey
from hi.integrations.models import Integration
from hi.utils.redaction import redact, register_secret

from .confirmation import to_number, values_match
from .models import ControlCode, Controller, ControllerHistory, ControlOutcome

logger = logging.getLogger(__name__)



class ControlValueError(ControlError, ValueError):
    """The value is not one the state can take; nothing was sent."""


class ControllerNotFound(ControlError, LookupError):
    """No controller has that key or id."""


# -- values ---------------------------------------------------------------------------------------
def _choices(value_range: Any) -> list[str] | None:
    if isinstance(value_range, Mapping) and not ({"min", "max"} & set(value_range)):
        return [str(key) for key in value_range]
    if isinstance(value_range, Sequence) and not isinstance(value_range, str) and value_range:
        return [str(item) for item in value_range]
    return None


def _validate_text(label: str, limits: Any, value: Any) -> str:
    """A TEXT state's value: a string within the lengths (and pattern) its integration reported."""
    if value is None or isinstance(value, bool | list | dict):
        raise ControlValueError(f"{label} takes text, not {value!r}")
    text = str(value)
    limits = limits if isinstance(limits, Mapping) else {}
    low, high, pattern = limits.get("min_length"), limits.get("max_length"), limits.get("pattern")
    if isinstance(low, int) and len(text) < low:
        raise ControlValueError(f"{label} needs at least {low} characters")
    if isinstance(high, int) and len(text) > high:
        raise ControlValueError(f"{label} takes at most {high} characters")
    if isinstance(pattern, str) and pattern:
        try:
            matches = re.fullmatch(pattern, text) is not None
        except re.error:
            matches = True  # a pattern Python cannot read is left to the external system to enforce
        if not matches:
            raise ControlValueError(f"{label} must match {pattern}")
    return text


def validate_control_value(state: EntityState, value: Any) -> Any:
    """Return ``value`` normalised for ``state`` ("ON" → "on", "50" → 50) or raise ControlValueError."""
    label = state.name or state.state_key
    if state.state_type == EntityStateType.TEXT:
        return _validate_text(label, state.value_range, value)
    value_range = state.value_range if state.value_range not in (None, "", [], {}) else None
    value_range = value_range if value_range is not None else default_value_range(state.state_type)
    pair = binary_values(state.state_type)
    if pair is not None:
        allowed = _choices(value_range) or [pair[1], pair[0]]
        if isinstance(value, bool) and state.state_type == EntityStateType.ON_OFF:
            value = "on" if value else "off"
        text = str(value).strip().lower()
        for choice in allowed:
            if choice.lower() == text:
                return choice
        raise ControlValueError(f"{label} accepts {' or '.join(allowed)}, not {value!r}")
    bounded = isinstance(value_range, Mapping) and bool({"min", "max"} & set(value_range))
    if is_numeric(state.state_type) or bounded:
        number = to_number(value)
        if number is None:
            raise ControlValueError(f"{label} needs a number, not {value!r}")
        low = value_range.get("min") if bounded else None
        high = value_range.get("max") if bounded else None
        if (low is not None and number < low) or (high is not None and number > high):
            if low is not None and high is not None:
                raise ControlValueError(f"{label} must be between {low:g} and {high:g}")
            bound = f"at least {low:g}" if low is not None else f"at most {high:g}"
            raise ControlValueError(f"{label} must be {bound}")
        return number
    choices = _choices(value_range)
    if choices is not None:
        text = str(value).strip()
        for choice in choices:
            if choice == text:
                return choice
        for choice in choices:
            if choice.lower() == text.lower():
                return choice
        raise ControlValueError(f"{label} must be one of: {', '.join(choices)} (not {value!r})")
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    raise ControlValueError(f"{label} cannot take a {type(value).__name__} value")


# -- dispatch -------------------------------------------------------------------------------------
def _resolve(controller_or_key: Controller | IntegrationKey | str) -> Controller:
    if isinstance(controller_or_key, Controller):
        return controller_or_key
    if isinstance(controller_or_key, str):
        try:
            key = IntegrationKey.parse(controller_or_key)
        except ValueError as exc:
            raise ControllerNotFound(str(exc)) from exc
    else:
        key = controller_or_key
    return find_controller_by_key(key)


def find_controller_by_key(key: IntegrationKey) -> Controller:
    """The controller with ``key``, else the one detached from it (so dispatch can say it is detached)."""
    query = Controller.objects.select_related("entity_state")
    controller = query.filter(integration_id=key.integration_id, integration_name=key.integration_name).first()
    if controller is None:
        controller = query.filter(detached_key=str(key)).first()
    if controller is None:
        raise ControllerNotFound(f"no controller with key {key}")
    return controller


def _require_running(integration_id: str) -> None:
    integration = Integration.objects.filter(integration_id=integration_id).first()
    status = integration.status if integration else IntegrationStatus.NOT_CONFIGURED
    problems = {
        IntegrationStatus.NOT_CONFIGURED: "is not configured",
        IntegrationStatus.CONFIGURED: "is not enabled; enable it to control its devices",
        IntegrationStatus.PAUSED: "is paused; resume it to control its devices",
        IntegrationStatus.DISABLED: "is disabled",
    }
    if status in problems:
        raise ControlError(f"integration {integration_id} {problems[status]}", integration_id=integration_id)


def _code_for(controller: Controller, code: str | None, implementation: Any) -> str | None:
    """The code to send: the one given, else the one stored for this controller; never recorded or logged."""
    if code is None or not str(code).strip():
        stored = ControlCode.objects.filter(controller=controller).values_list("code", flat=True).first()
        code = stored or None
    if code is None:
        return None
    code = str(code).strip()
    register_secret(code)
    if not getattr(implementation, "accepts_code", False):
        raise ControlValueError(f"{controller.name} does not take a code")
    return code


def dispatch_control(controller_or_key: Controller | IntegrationKey | str, value: Any,
                     requested_by: str, *, code: str | None = None) -> ControllerHistory:
    """Send ``value`` through the controller's gateway; invalid requests raise, sent ones are recorded.

    ``code`` (an alarm panel's or lock's) goes to the integration only: it is not in the history row,
    and every message that might echo it is redacted.
    """
    if not (requested_by or "").strip():
        raise ValueError("requested_by must say who or what asked")
    controller = _resolve(controller_or_key)
    if controller.integration_key is None:
        raise ControlError(f"{controller.name} is detached (was {controller.detached_key}): "
                           "its integration no longer knows it")
    integration_id = controller.integration_id
    assert integration_id is not None
    _require_running(integration_id)
    state = controller.entity_state
    normalised = validate_control_value(state, value)
    implementation = integration_factory.get_gateway(integration_id).get_controller()
    if implementation is None:
        raise ControlError(f"integration {integration_id} cannot control devices", integration_id=integration_id)
    code = _code_for(controller, code, implementation)

    record = ControllerHistory.objects.create(
        controller=controller, requested_value=normalised, expected_value=normalised,
        requested_by=requested_by.strip()[:200], requested_at=timezone.now(), outcome=ControlOutcome.PENDING)
    started = time.perf_counter()
    outcome, message, expected, confirmed = ControlOutcome.FAILED, "", normalised, False
    try:
        if code is None:
            result = implementation.do_control(controller, normalised)
        else:
            result = implementation.do_control(controller, normalised, code=code)
    except IntegrationError as exc:
        message = exc.message
    except Exception as exc:  # a broken integration must still leave an honest record
        logger.exception("control of %s failed unexpectedly", controller.integration_key)
        message = redact(f"unexpected error: {exc}")
    else:
        if result.ok:
            outcome = ControlOutcome.SENT
            message = result.message
            expected = result.expected_value if result.expected_value is not None else normalised
            confirmed = result.confirmed
        else:
            message = result.message or "the integration refused the request"
    latency_ms = (time.perf_counter() - started) * 1000.0
    return _finish(record, state, outcome, message, expected, confirmed, latency_ms)


def _finish(record: ControllerHistory, state: EntityState, outcome: str, message: str, expected: Any,
            confirmed: bool, latency_ms: float) -> ControllerHistory:
    """Write the outcome, unless a sensor response already confirmed the request meanwhile."""
    current = ControllerHistory.objects.filter(pk=record.pk).values_list("outcome", flat=True).first()
    if current == ControlOutcome.CONFIRMED:
        ControllerHistory.objects.filter(pk=record.pk).update(latency_ms=latency_ms)
        record.refresh_from_db()
        return record
    if outcome == ControlOutcome.SENT and not confirmed:
        state_value = EntityState.objects.filter(pk=state.pk).values_list("value", flat=True).first()
        confirmed = state_value is not None and values_match(state_value, expected)
    if outcome == ControlOutcome.SENT and confirmed:
        outcome = ControlOutcome.CONFIRMED
        record.confirmed_at = timezone.now()
    record.outcome = outcome
    record.message = redact(message)[:500]
    record.expected_value = expected
    record.latency_ms = latency_ms
    record.save(update_fields=["outcome", "message", "expected_value", "latency_ms", "confirmed_at"])
    return record
