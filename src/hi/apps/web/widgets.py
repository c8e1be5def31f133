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


def live_state_html(state: Any) -> SafeString:
    """The badge inside its live container: htmx's SSE extension swaps it on ``state-<id>`` events."""
    return format_html('<span class="live-state" id="state-{}" data-state-id="{}" sse-swap="state-{}" '
                       'hx-swap="innerHTML">{}</span>', state.id, state.id, state.id, badge_html(state))


def quick_toggle_html(entity_id: int, state: Any, controller_id: int, control: ControlSpec) -> SafeString:
    """A card's one-tap switch: posts through the control dispatch; app.js keeps the pressed button current."""
    current = value_text(state.value)
    buttons = format_html_join("", '<button type="submit" name="value" value="{}" class="btn {}" aria-pressed="{}">{}</button>', (
        (value, "btn-primary active" if value == current else "btn-outline-secondary",
         "true" if value == current else "false", label) for value, label in control.options))
    return format_html(
        '<form class="quick-toggle" hx-post="{}" hx-target="#quick-status-{}" hx-swap="innerHTML">'
        '<div class="btn-group btn-group-sm control-toggle" role="group" data-control-state="{}" aria-label="Switch">'
        '{}</div><div id="quick-status-{}" class="small quick-status"></div></form>',
        reverse("control", args=[controller_id]), entity_id, state.id, buttons, entity_id)
