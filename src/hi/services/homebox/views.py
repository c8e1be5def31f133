"""HomeBox views: attachments served through the hub (login required by the middleware) and warranties."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from hi.http.files import file_response
from hi.integrations.exceptions import IntegrationError
from hi.utils.redaction import redact

from . import attachments
from .warranty import clamp_days, expiring

logger = logging.getLogger("hi.services.homebox.views")


@require_GET
def attachment(request: HttpRequest, item_id: str, attachment_id: str) -> HttpResponse:
    """The file, from the cache or fetched once from HomeBox; images and PDFs inline, anything else a download."""
    try:
        found = attachments.fetch(item_id, attachment_id)
    except attachments.NotFound:
        raise Http404("no such attachment") from None
    except IntegrationError as exc:
        logger.warning("homebox attachment %s: %s", attachment_id, exc.message)
        return HttpResponse(f"HomeBox could not deliver the file: {redact(exc.message)}", status=502,
                            content_type="text/plain; charset=utf-8")
    response = file_response(request, found.path.open("rb"), content_type=found.content_type,
                             as_attachment=not found.inline, filename=found.filename)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def warranties(request: HttpRequest) -> HttpResponse:
    days = clamp_days(request.GET.get("days"))
    today = timezone.localdate()
    context = {"days": days, "rows": expiring(days, today), "recently_expired": expiring(0, today, 30),
               "today": today, "choices": (30, 90, 180, 365)}
    return render(request, "homebox/warranties.html", context)
