"""What a locked-out sign-in sees (django-axes calls this): a page saying why, for how long, and how to lift it."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes' answer to a locked-out attempt: from /login/, /admin/login/ or the "Your account" form."""
    minutes = max(1, math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)) if settings.AXES_COOLOFF_TIME else None
    match = getattr(request, "resolver_match", None)
    own = match is not None and match.url_name == "account"
    message = ("Too many wrong passwords for your account or from this address; changing your password and signing in are blocked"
               if own else
               "Too many failed sign-ins for this account or from this address; signing in is blocked")
    message = (message
               + (f" for {minutes} minute{'s' if minutes != 1 else ''}" if minutes else "")
               + ". An admin can lift the block on the People page (Settings → People) "
                 "or with `hi users unlock NAME`.")
    if request.path.startswith("/api/") or request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "access/locked_out.html", {"message": message, "own": own}, status=429)
