"""Integrations: health badges, the configure form from attribute specs, sync preview → apply, lifecycle.

Everything goes through the same lifecycle and sync-engine calls the API and CLI use, so a person
sees exactly the messages a script would get — minus anything secret.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hi.apps.api.actions import to_jsonable
from hi.integrations import integration_factory
from hi.integrations.enums import DisableMode, IntegrationStatus
from hi.integrations.exceptions import ConfigurationError, IntegrationError
from hi.integrations.health import all_health_snapshots
from hi.integrations.models import Integration
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
        from hi.integrations import lifecycle

        form.is_valid()
        try:
            result = lifecycle.configure(integration_id, form.submitted_values(), test=True)
        except ConfigurationError as exc:
            if exc.field_errors:
                form.add_field_errors({k: redact(v) for k, v in exc.field_errors.items()})
            else:
                test_ok, test_message = False, redact(exc.message)
        except IntegrationError as exc:
            test_ok, test_message = False, redact(exc.message)
        else:  # lifecycle calls raise on failure and return a success message (already redacted)
            messages.success(request, result["message"])
            return redirect("integrations")
    return render(request, "web/integration_configure.html", {
        "gateway": gateway, "integration_id": integration_id, "row": row, "form": form,
        "test_ok": test_ok, "test_message": test_message,
    })


def _sync_summary(data: dict[str, Any]) -> list[dict[str, Any]]:
    counts = data.get("counts") or {}
    names = data.get("names") or {}
    return [{"action": key, "label": label, "icon": icon, "count": counts.get(key, len(names.get(key, []))),
             "names": names.get(key, [])[:50], "more": max(0, len(names.get(key, [])) - 50)}
            for key, label, icon in SYNC_ACTIONS]


def sync(request: HttpRequest, integration_id: str) -> HttpResponse:
    """GET: a dry run to preview; POST: apply and report. Both render the same panel."""
    from hi.integrations.sync.engine import run_sync

    gateway = _gateway_class(integration_id)
    remove_missing = (request.POST or request.GET).get("remove_missing") == "on"
    dry_run = request.method != "POST"
    error, data = "", {}
    try:
        data = to_jsonable(run_sync(integration_id, dry_run=dry_run, remove_missing=remove_missing)) or {}
    except IntegrationError as exc:
        error = redact(exc.message)
    context = {
        "gateway": gateway, "integration_id": integration_id, "dry_run": dry_run, "error": error,
        "summary": _sync_summary(data) if data else [], "warnings": data.get("warnings", []) if data else [],
        "remove_missing": remove_missing, "total": sum((data.get("counts") or {}).values()) if data else 0,
    }
    template = "web/partials/sync_panel.html" if request.htmx else "web/integration_sync.html"
    return render(request, template, context)


@require_POST
def lifecycle_action(request: HttpRequest, integration_id: str, action: str) -> HttpResponse:
    from hi.integrations import lifecycle

    gateway = _gateway_class(integration_id)
    if action not in ("enable", "pause", "resume"):
        raise Http404("no such action")
    try:
        result = getattr(lifecycle, action)(integration_id)
    except IntegrationError as exc:
        messages.error(request, f"{gateway.label}: {redact(exc.message)}")
    else:
        messages.success(request, result["message"])
    return redirect("integrations")


def disable(request: HttpRequest, integration_id: str) -> HttpResponse:
    """GET previews what each mode affects; POST disables with the chosen mode."""
    from hi.integrations import lifecycle

    gateway = _gateway_class(integration_id)
    mode = (request.POST or request.GET).get("mode", DisableMode.SAFE)
    if mode not in DisableMode.values:
        mode = DisableMode.SAFE
    if request.method == "POST":
        try:
            result = lifecycle.disable(integration_id, mode)
        except IntegrationError as exc:
            messages.error(request, f"{gateway.label}: {redact(exc.message)}")
        else:
            messages.success(request, result["message"])
        return redirect("integrations")
    previews = {}
    for choice in DisableMode.values:
        try:
            previews[choice] = lifecycle.disable_preview(integration_id, choice)
        except IntegrationError as exc:
            previews[choice] = {"message": redact(exc.message)}
    return render(request, "web/integration_disable.html", {
        "gateway": gateway, "integration_id": integration_id, "mode": mode, "previews": previews,
        "modes": DisableMode.choices,
    })
