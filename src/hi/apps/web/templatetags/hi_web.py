"""Template helpers that turn model values into the words and icons the pages show."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.dateparse import parse_datetime

from hi.apps.web import presentation, widgets
from hi.apps.web.humanize import human_error
from hi.integrations.enums import HealthStatus, IntegrationStatus
from hi.utils.redaction import redact
from hi.utils.urls import same_origin_path

register = template.Library()

_HEALTH_TONES = {
    HealthStatus.HEALTHY: "success", HealthStatus.WARNING: "warning", HealthStatus.ERROR: "danger",
    HealthStatus.DISABLED: "secondary", HealthStatus.UNKNOWN: "light",
}


@register.simple_tag
def state_badge(state: Any) -> str:
    return widgets.badge_html(state)


@register.simple_tag
def live_state(state: Any) -> str:
    """The badge that updates itself from the live stream."""
    return widgets.live_state_html(state)


@register.simple_tag
def stepper(state: Any, control: Any, label: str = "") -> str:
    """The card's minus/plus stepper inside a page's own control form (the entity page, a plan's panel): the form's
    fieldset carries an outage's reason, so only an unknown current target turns the buttons off here."""
    return widgets.stepper_buttons_html(state, control, label or state.name, small=False)


@register.simple_tag
def event_words(event: Any) -> str:
    """An event's value as the state's words ('Motion', 'Open'), without the age."""
    return presentation.describe_state(event.entity_state.state_type, event.value).text


@register.simple_tag
def event_cause(event: Any) -> str:
    """What caused an event, unless it only repeats the value's words ('Motion (Motion)')."""
    cause = str((event.details or {}).get("cause") or "").strip()
    words = presentation.describe_state(event.entity_state.state_type, event.value).text
    return "" if not cause or cause.lower() == words.lower() else cause


@register.simple_tag
def human_problem(text: Any, label: str) -> str:
    """A problem as a sentence, with the technical detail (no secrets) one click away."""
    from django.utils.html import format_html

    problem = human_error(str(text or ""), label)
    if not problem.detail or problem.detail == problem.sentence:
        return format_html('<span class="problem-sentence">{}</span>', problem.sentence)
    return format_html('<span class="problem-sentence">{}</span> <details class="problem-detail d-inline">'
                       '<summary class="small text-muted">Details</summary><code class="detail-text small">{}</code>'
                       '</details>', problem.sentence, problem.detail)


@register.filter
def moment(value: Any) -> str:
    """An ISO timestamp (or datetime) as local time: '13:03' today, 'Nov 22 13:03' on other days."""
    return presentation.format_moment(value) if value else ""


@register.filter
def kind_words(state_type: str) -> str:
    return presentation.state_kind_words(state_type)


@register.filter
def entity_icon(entity_type: str) -> str:
    return presentation.entity_icon(entity_type)


@register.filter
def age(when: dt.datetime | str | None) -> str:
    """'3 min ago'; ISO strings (from JSON snapshots) are read too, anything else shows as nothing."""
    if isinstance(when, str):
        when = parse_datetime(when)
    return presentation.humanize_age(when) if isinstance(when, dt.datetime) else ""


@register.filter
def duration(seconds: float | None) -> str:
    return presentation.format_duration(seconds)


@register.filter
def json_value(value: Any) -> str:
    """The value as a form field shows it ('' for none)."""
    return widgets.value_text(value)


@register.simple_tag
def integration_badge(integration: Any, health_status: str | None = None) -> dict[str, str]:
    """One badge per integration: paused / disabled / needs sync win over the health status."""
    if integration is None:
        return {"text": "Not configured", "tone": "light"}
    if integration.status == IntegrationStatus.DISABLED:
        return {"text": "Disabled", "tone": "secondary"}
    if integration.status == IntegrationStatus.PAUSED:
        return {"text": "Paused", "tone": "info"}
    if integration.status == IntegrationStatus.NOT_CONFIGURED:
        return {"text": "Not configured", "tone": "light"}
    if integration.needs_sync:
        return {"text": "Needs sync", "tone": "warning"}
    status = health_status or integration.health_status
    if status not in HealthStatus.values:
        status = HealthStatus.UNKNOWN
    return {"text": HealthStatus(status).label, "tone": _HEALTH_TONES.get(status, "light")}


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with ``changes`` applied (filters and pagination keep each other)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.items())) if params else "?"


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def get_secret(status: dict[str, bool], key: str) -> bool:
    return bool(status.get(key))


@register.filter
def flat_items(details: Any) -> list[tuple[str, Any]]:
    """Nested health details as 'breaker state: closed' pairs, so panels stay readable."""
    if not isinstance(details, dict):
        return []
    pairs: list[tuple[str, Any]] = []
    for key, value in details.items():
        if isinstance(value, dict):
            pairs.extend((f"{key} {sub}".replace("_", " "), v) for sub, v in value.items()
                         if v is not None and not isinstance(v, dict | list))
        elif value is not None and not isinstance(value, list):
            pairs.append((str(key).replace("_", " "), value))
    shown = []
    for key, value in pairs:
        words = _detail_value(key, value)
        if words is not None:
            shown.append((key.removesuffix(" seconds"), words))
    return shown[:20]


def _detail_value(key: str, value: Any) -> Any:
    """A detail as a person reads it: clock readings that only mean something inside the process
    ('opened at: 740.04') are left out, waits read 'in 25 s', ISO times read as local times."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if key.endswith(" at") or key.endswith(" monotonic"):
            return None
        if key.endswith(" in") or key.endswith(" in seconds") or "retry" in key or "next trial" in key:
            return f"in {max(0, round(value))} s"
        return presentation.format_number(value)
    if isinstance(value, str):
        if key.endswith(" at") and parse_datetime(value) is not None:
            return presentation.format_moment(value)
        return redact(value)
    return value


@register.filter
def days_from_today(value: str) -> str:
    """``(in 20 days)`` / ``(30 days ago)`` / ``(today)`` for an ISO date attribute (warranties, purchases)."""
    from django.utils import timezone

    try:
        when = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return ""
    days = (when - timezone.localdate()).days
    if days == 0:
        return "(today)"
    unit = "day" if abs(days) == 1 else "days"
    return f"(in {days} {unit})" if days > 0 else f"({-days} {unit} ago)"


@register.filter
def same_origin(value: Any) -> bool:
    """Whether a value from an attribute may be a link or image on our page (a path a browser keeps on this hub)."""
    return same_origin_path(str(value or ""))
