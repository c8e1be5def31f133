"""Integrations: health badges, the configure form from attribute specs, sync preview → apply, lifecycle.

Everything goes through the operations layer (``hi.operations.actions``) the API and CLI use, so a
person sees exactly the messages a script would get — minus anything secret.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hi.integrations import integration_factory
from hi.integrations.enums import DisableMode, IntegrationStatus
from hi.integrations.exceptions import ConfigurationError, IntegrationError
from hi.integrations.health import all_health_snapshots
from hi.integrations.models import Integration
from hi.integrations.sync.engine import SyncReport
from hi.operations import actions
from hi.operations.queries import BadInput
from hi.utils.redaction import redact

from ..forms import IntegrationConfigForm

SYNC_ACTIONS = (("create", "Create", "plus-circle"), ("update", "Update", "arrow-repeat"),
                ("reconnect", "Reconnect", "link-45deg"), ("detach", "Detach", "scissors"),
                ("remove", "Remove", "trash"))


def _gateway_class(integration_id: str) -> Any:
    if integration_id not in integration_factory.available_integration_ids():
        raise Http404("no such integration")
    return integration_factory.get_gateway_class(integration_id)


def _row(integration_id: str) -> Integration | None:
    return Integration.objects.filter(integration_id=integration_id).prefetch_related("attributes").first()


def _health(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The health module's snapshot (stored fields merged with the gateway's live report), details redacted."""
    details = snapshot.get("details") if isinstance(snapshot.get("details"), dict) else {}
    return {**snapshot, "details": {k: redact(v) if isinstance(v, str) else v for k, v in details.items()}}


def integration_cards() -> list[dict[str, Any]]:
    """One card per installed integration, in two queries however many are configured."""
    rows = {row.integration_id: row for row in Integration.objects.all()}
    snapshots = {snapshot["integration_id"]: snapshot for snapshot in all_health_snapshots()}
    cards = []
    for integration_id in integration_factory.available_integration_ids():
        gateway = integration_factory.get_gateway_class(integration_id)
        row = rows.get(integration_id)
        cards.append({
            "id": integration_id, "label": gateway.label, "description": gateway.description,
            "row": row, "health": _health(snapshots[integration_id]) if row else None,
            "can_sync": row is not None and row.status in (IntegrationStatus.ACTIVE, IntegrationStatus.CONFIGURED,
                                                           IntegrationStatus.PAUSED),
        })
    return cards


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/integrations.html", {"cards": integration_cards(), "sync_actions": SYNC_ACTIONS})


def configure(request: HttpRequest, integration_id: str) -> HttpResponse:
    """GET shows the form; POST validates inline, tests the connection (bounded) and saves."""
    gateway = _gateway_class(integration_id)
    row = _row(integration_id)
    stored = row.attribute_values() if row else {}
    form = IntegrationConfigForm(gateway.attribute_specs, stored, request.POST or None)
    test_message, test_ok = "", None
    if request.method == "POST":
        form.is_valid()
        try:
            outcome = actions.configure(integration_id, form.submitted_values(), test=True)
        except ConfigurationError as exc:
            if exc.field_errors:
                form.add_field_errors({k: redact(v) for k, v in exc.field_errors.items()})
            else:
                test_ok, test_message = False, redact(exc.message)
        except IntegrationError as exc:
            test_ok, test_message = False, redact(exc.message)
        else:  # operations raise on failure and return a success message (already redacted)
            messages.success(request, outcome.message)
            return redirect("integrations")
    return render(request, "web/integration_configure.html", {
        "gateway": gateway, "integration_id": integration_id, "row": row, "form": form,
        "test_ok": test_ok, "test_message": test_message,
    })


def _sync_summary(report: SyncReport) -> list[dict[str, Any]]:
    names: dict[str, list[str]] = {key: [] for key, _, _ in SYNC_ACTIONS}
    for action in report.plan.actions:
        names.setdefault(action.action, []).append(action.name)
    return [{"action": key, "label": label, "icon": icon, "count": report.counts.get(key, len(names[key])),
             "names": names[key][:50], "more": max(0, len(names[key]) - 50)}
            for key, label, icon in SYNC_ACTIONS]


def sync(request: HttpRequest, integration_id: str) -> HttpResponse:
    """GET: a dry run to preview; POST: apply and report. Both render the same panel."""
    gateway = _gateway_class(integration_id)
    remove_missing = (request.POST or request.GET).get("remove_missing") == "on"
    dry_run = request.method != "POST"
    error, report = "", None
    try:
        report = actions.sync(integration_id, dry_run=dry_run, remove_missing=remove_missing)
    except IntegrationError as exc:
        error = redact(exc.message)
    context = {
        "gateway": gateway, "integration_id": integration_id, "dry_run": dry_run, "error": error,
        "summary": _sync_summary(report) if report else [], "warnings": report.plan.warnings if report else [],
        "remove_missing": remove_missing, "total": sum(report.counts.values()) if report else 0,
    }
    template = "web/partials/sync_panel.html" if request.htmx else "web/integration_sync.html"
    return render(request, template, context)


@require_POST
def lifecycle_action(request: HttpRequest, integration_id: str, action: str) -> HttpResponse:
    gateway = _gateway_class(integration_id)
    if action not in ("enable", "pause", "resume"):
        raise Http404("no such action")
    try:
        outcome = actions.lifecycle_action(integration_id, action)
    except IntegrationError as exc:
        messages.error(request, f"{gateway.label}: {redact(exc.message)}")
    else:
        messages.success(request, outcome.message)
    return redirect("integrations")


def disable(request: HttpRequest, integration_id: str) -> HttpResponse:
    """GET previews what each mode affects; POST disables with the chosen mode."""
    gateway = _gateway_class(integration_id)
    mode = (request.POST or request.GET).get("mode", DisableMode.SAFE)
    if mode not in DisableMode.values:
        mode = DisableMode.SAFE
    if request.method == "POST":
        try:
            outcome = actions.lifecycle_action(integration_id, "disable", mode)
        except (IntegrationError, BadInput) as exc:
            messages.error(request, f"{gateway.label}: {redact(getattr(exc, 'message', None) or str(exc))}")
        else:
            messages.success(request, outcome.message)
        return redirect("integrations")
    previews = {}
    for choice in DisableMode.values:
        try:
            previews[choice] = actions.disable_preview(integration_id, choice)
        except IntegrationError as exc:
            previews[choice] = {"message": redact(exc.message)}
    return render(request, "web/integration_disable.html", {
        "gateway": gateway, "integration_id": integration_id, "mode": mode, "previews": previews,
        "modes": DisableMode.choices,
    })
