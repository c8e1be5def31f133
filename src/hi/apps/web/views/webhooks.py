"""The webhooks page (administrators only: hi.apps.access.rules): create a hook (its secret shown once), list them, revoke one.

The same operations as ``hi webhooks create|list|revoke`` (hi.integrations.webhooks). A new secret is
rendered in the answer to the POST that made it — never put in a URL, a message or the session — so a
reload or the back button cannot show it again.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from hi.integrations import integration_factory
from hi.integrations.exceptions import ConfigurationError
from hi.integrations.models import WebhookEndpoint
from hi.integrations.webhooks import create_webhook, list_webhooks, revoke_webhook, webhook_json


def _page(request: HttpRequest, *, created: dict | None = None, form: dict | None = None,
          errors: dict[str, str] | None = None, status: int = 200) -> HttpResponse:
    return render(request, "web/webhooks.html", {
        "hooks": list_webhooks(), "created": created, "errors": errors or {},
        "form": form or {"integration": "", "hook_id": "", "mode": WebhookEndpoint.Mode.HMAC, "max_bytes": 65536},
        "integrations": sorted(integration_factory.available_integration_ids()),
        "modes": WebhookEndpoint.Mode.choices,
    }, status=status)


@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    form = {key: request.POST.get(key, "").strip() for key in ("integration", "hook_id", "mode", "max_bytes")}
    try:
        max_bytes = int(form["max_bytes"] or 65536)
    except ValueError:
        return _page(request, form=form, errors={"max_bytes": "a whole number of bytes"}, status=400)
    try:
        endpoint, secret = create_webhook(form["integration"], form["hook_id"], mode=form["mode"],
                                          max_bytes=max_bytes)
    except ConfigurationError as exc:
        return _page(request, form=form, errors=exc.field_errors or {"hook_id": exc.message}, status=400)
    return _page(request, created=webhook_json(endpoint) | {"secret": secret})


@require_POST
def revoke(request: HttpRequest, webhook_id: int) -> HttpResponse:
    try:
        data = revoke_webhook(webhook_id)
    except ConfigurationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Webhook {data['integration']}/{data['hook_id']} revoked.")
    return redirect("webhooks")
