"""Security headers on every answer: a strict Content-Security-Policy and a Permissions-Policy.

The policy allows scripts from the hub itself only: no inline ``<script>``, no ``on…=`` attributes, no
``eval`` (htmx runs with ``allowEval`` off; see base.html). If markup ever did get injected into a page, it
could not run. Pages keep their behaviour in static files (``web/app.js`` handles ``data-confirm``,
``data-autosubmit`` and image fallbacks). Where an inline script is truly unavoidable, a template can use
``request.csp_nonce`` (``<script nonce="{{ request.csp_nonce }}">``); no template does today.

Styles allow ``'unsafe-inline'``: ``style=`` attributes carry layout (plan positions, sizes) and cannot run
code. Images may come from ``data:`` and ``blob:`` (chart exports, previews); everything else is same-origin.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation", "gyroscope",
    "magnetometer", "microphone", "midi", "payment", "publickey-credentials-get", "usb", "xr-spatial-tracking",
)) + ", fullscreen=(self)"


def content_security_policy(nonce: str) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self'",
        "media-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeadersMiddleware(MiddlewareMixin):
    """Adds Content-Security-Policy and Permissions-Policy unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)

    def process_request(self, request: HttpRequest) -> None:
        request.csp_nonce = secrets.token_urlsafe(16)  # type: ignore[attr-defined]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        nonce = getattr(request, "csp_nonce", None) or secrets.token_urlsafe(16)
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = content_security_policy(nonce)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
