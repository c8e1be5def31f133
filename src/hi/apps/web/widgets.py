"""Small HTML pieces built in Python: the state badge appears hundreds of times per page and in the live
stream, so one fast, single-source builder beats a template include per state."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .presentation import ControlSpec, describe_state, humanize_age


def value_text(value: Any) -> str:
    """The value as controls and ``data-value`` carry it ('' for none)."""
    return "" if value is None else str(value)


def badge_html(state: Any) -> SafeString:
    """The badge for an EntityState: icon and words, its raw value in ``data-value`` for the controls."""
    display = describe_state(state.state_type, state.value, state.units, state.value_range, state.value_updated_at)
    title = f"updated {humanize_age(state.value_updated_at)}" if state.value_updated_at else ""
    return format_html('<span class="badge state-badge text-bg-{}" data-value="{}" title="{}">'
                       '<i class="bi bi-{}"></i> {}</span>',
                       display.tone, value_text(state.value), title, display.icon, display.text)


def live_state_html(state: Any, label: str = "") -> SafeString:
    """The badge inside its live container: htmx's SSE extension swaps it on ``state-<id>`` events.

    ``label`` ('Target temperature') sits outside the swapped part, so it survives live updates.
    """
    live = format_html('<span class="live-state" id="state-{}" data-state-id="{}" sse-swap="state-{}" '
                       'hx-swap="innerHTML">{}</span>', state.id, state.id, state.id, badge_html(state))
    if not label:
        return live
    return format_html('<span class="state-item"><span class="state-label">{}</span> {}</span>', label, live)


def _disabled(reason: str) -> SafeString:
    """Disabled with the reason. An integration's outage is marked as such, so the live stream can lift it;
    a state the source itself reports unavailable stays off until the page shows a new value."""
    if not reason:
        return SafeString("")
    attribute = "data-disabled-reason" if reason.endswith((" reports it unavailable", " does not know its value", " is not known")) \
        else "data-integration-reason"
    return format_html(' disabled {}="{}" title="{}"', attribute, reason, reason)


def _status_html(entity_id: int, state_id: int) -> SafeString:
    return format_html('<div id="quick-status-{}-{}" class="small quick-status" data-status-state="{}" aria-live="polite">'
                       '</div>', entity_id, state_id, state_id)


def _form_open(controller_id: int, entity_id: int, state_id: int, css: str, trigger: str = "") -> SafeString:
    """A control form: a spinner shows at once while the request is out (``htmx-request``)."""
    return format_html('<form class="card-control {}" hx-post="{}" hx-target="#quick-status-{}-{}" hx-swap="innerHTML"{}>',
                       css, reverse("control", args=[controller_id]), entity_id, state_id,
                       format_html(' hx-trigger="{}"', trigger) if trigger else "")


_SPINNER = SafeString('<span class="htmx-indicator spinner-border spinner-border-sm" role="status" '
                      'aria-label="Sending"></span>')


def quick_toggle_html(entity_id: int, state: Any, controller_id: int, control: ControlSpec,
                      disabled_reason: str = "", label: str = "") -> SafeString:
    """A card's one-tap switch: posts through the control dispatch; app.js keeps the pressed button current.

    ``label`` names what it switches when that is not the card's main value (an alarm panel's siren)."""
    current = value_text(state.value)
    disabled = _disabled(disabled_reason)
    buttons = format_html_join("", '<button type="submit" name="value" value="{}" class="btn {}" aria-pressed="{}"{}>{}</button>', (
        (value, "btn-primary active" if value == current else "btn-outline-secondary",
         "true" if value == current else "false", disabled, label) for value, label in control.options))
    caption = format_html('<div class="state-label toggle-label">{}</div>', label) if label else ""
    return format_html(
        '{}{}<div class="btn-group btn-group-sm control-toggle" role="group" data-control-state="{}" aria-label="{}">'
        '{}</div>{}</form>{}',
        _form_open(controller_id, entity_id, state.id, "quick-toggle"), caption, state.id, state.name, buttons,
        _SPINNER, _status_html(entity_id, state.id))


def slider_html(entity_id: int, state: Any, controller_id: int, control: ControlSpec, label: str,
                disabled_reason: str = "") -> SafeString:
    """A dimmer or cover position on a card: sent when the thumb is let go."""
    current = value_text(state.value) or str(control.minimum or 0)
    element_id = f"card-control-{entity_id}-{state.id}"
    return format_html(
        '{}<label class="visually-hidden" for="{}">{}</label><div class="d-flex align-items-center gap-2">'
        '<input class="form-range flex-grow-1" type="range" name="value" id="{}" data-control-state="{}" '
        'min="{}" max="{}" step="{}" value="{}"{}><output class="small fw-semibold card-output" data-output-for="{}">'
        '{}</output>{}</div></form>{}',
        _form_open(controller_id, entity_id, state.id, "card-slider", "change"), element_id, label, element_id,
        state.id, control.minimum, control.maximum, control.step, current, _disabled(disabled_reason), element_id,
        current, _SPINNER, _status_html(entity_id, state.id))


def stepper_buttons_html(state: Any, control: ControlSpec, label: str, disabled_reason: str = "",
                         small: bool = True) -> SafeString:
    """A thermostat target's minus and plus: submit buttons whose values are the target one step down or up,
    within the state's range (app.js moves them with each confirmed value). The card wraps them in its own
    form (``stepper_html``); the entity page and a plan's panel put them in theirs (``{% stepper %}``)."""
    try:
        current = float(state.value)
    except (TypeError, ValueError):
        current = None
    step = control.step or 0.5  # control_spec always sets one; 0.5 keeps a hand-made ControlSpec usable

    def bounded(value: float) -> str:
        if control.minimum is not None:
            value = max(float(control.minimum), value)
        if control.maximum is not None:
            value = min(float(control.maximum), value)
        return f"{value:g}"

    down = bounded(current - step) if current is not None else ""
    up = bounded(current + step) if current is not None else ""
    disabled = _disabled(disabled_reason if current is not None else "the current target is not known")
    return format_html(
        '<div class="btn-group{} control-stepper" role="group" aria-label="{}" data-control-state="{}" '
        'data-step="{}" data-min="{}" data-max="{}">'
        '<button type="submit" name="value" value="{}" class="btn btn-outline-secondary" aria-label="Lower {}"{}>'
        '<i class="bi bi-dash-lg"></i></button>'
        '<button type="submit" name="value" value="{}" class="btn btn-outline-secondary" aria-label="Raise {}"{}>'
        '<i class="bi bi-plus-lg"></i></button></div>',
        " btn-group-sm" if small else "", label, state.id, step,
        "" if control.minimum is None else control.minimum, "" if control.maximum is None else control.maximum,
        down, label, disabled, up, label, disabled)


def stepper_html(entity_id: int, state: Any, controller_id: int, control: ControlSpec, label: str,
                 disabled_reason: str = "") -> SafeString:
    """A card's thermostat target: the stepper in a form of the card's own, with its spinner and status line."""
    return format_html('{}{}{}</form>{}', _form_open(controller_id, entity_id, state.id, "card-stepper"),
                       stepper_buttons_html(state, control, label, disabled_reason), _SPINNER,
                       _status_html(entity_id, state.id))


_PANEL_VERBS = {"disarmed": "Disarm", "armed_home": "Arm home", "armed_away": "Arm away", "armed_night": "Arm night",
                "armed_vacation": "Arm vacation", "armed_custom_bypass": "Custom bypass"}


def choices_html(entity_id: int, state: Any, controller_id: int, control: ControlSpec, label: str,
                 disabled_reason: str = "", needs_code: bool = False) -> SafeString:
    """An alarm panel's modes as buttons. A panel that takes a code and has none stored gets a code field the
    browser insists on before sending (``required``); app.js empties it after each request, so the code
    never stays in the page."""
    current = value_text(state.value)
    disabled = _disabled(disabled_reason)
    buttons = format_html_join("", '<button type="submit" name="value" value="{}" class="btn btn-sm {}" aria-pressed="{}"{}>{}</button>', (
        (value, "btn-primary active" if value == current else "btn-outline-secondary",
         "true" if value == current else "false", disabled, _PANEL_VERBS.get(value, words))
        for value, words in control.options))
    code = format_html(
        '<input class="form-control form-control-sm card-code" type="password" name="code" required autocomplete="off" '
        'placeholder="Code" aria-label="Code for {}"{}>', label, disabled) if needs_code else ""
    return format_html(
        '{}<div class="d-flex flex-wrap align-items-center gap-2"><div class="d-flex flex-wrap gap-1 control-choices" '
        'role="group" data-control-state="{}" aria-label="{}">{}</div>{}{}</div></form>{}',
        _form_open(controller_id, entity_id, state.id, "card-choices"), state.id, label, buttons, code, _SPINNER,
        _status_html(entity_id, state.id))
