"""Inbound webhooks: ``POST /api/v1/webhooks/<integration_id>/<hook_id>`` routed to the owning gateway.

Each hook has its own secret and one of two authentication modes:

- ``hmac``: header ``X-Hi-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``;
- ``url_secret``: the secret as ``?token=<secret>`` (for senders that cannot sign; ``token=`` values
  are masked by ``hi.utils.redaction`` wherever they would be logged).

Both are compared in constant time. Order of checks, each leaving the database untouched on
failure: unknown/disabled hook or integration without webhook support → 404; body over the hook's
size limit → 413; bad or missing authentication → 401; body not JSON → 400; payload refused by the
gateway (``DataValidationError``/``RequestError``) → 400. Only an accepted call updates the hook's
``received_count``/``last_received_at`` and whatever the gateway's ``handle_webhook`` does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hi.utils.redaction import redact, register_secret

from . import integration_factory
from .exceptions import ConfigurationError, DataValidationError, IntegrationError, RequestError
from .models import Integration, WebhookEndpoint

logger = logging.getLogger("hi.integrations.webhooks")
SIGNATURE_HEADER = "X-Hi-Signature-256"
SIGNATURE_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The signature header value a sender puts on ``body``."""
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def create_webhook(integration_id: str, hook_id: str, *, mode: str = WebhookEndpoint.Mode.HMAC,
                   max_bytes: int = 1024 * 1024, secret: str | None = None) -> tuple[WebhookEndpoint, str]:
    """Create (or re-key) a hook; returns it and its secret, which the sender must be given once."""
    integration, _ = Integration.objects.get_or_create(integration_id=integration_id)
    secret = secret or secrets.token_urlsafe(32)
    endpoint, _ = WebhookEndpoint.objects.update_or_create(
        integration=integration, hook_id=hook_id,
        defaults={"secret": secret, "mode": mode, "max_bytes": max_bytes, "enabled": True})
    register_secret(secret)
    return endpoint, secret


def webhook_path(integration_id: str, hook_id: str) -> str:
    return f"/api/v1/webhooks/{integration_id}/{hook_id}"


def _authenticated(endpoint: WebhookEndpoint, request: HttpRequest, body: bytes) -> bool:
    expected_secret = endpoint.secret.encode()
    if endpoint.mode == WebhookEndpoint.Mode.URL_SECRET:
        offered = request.GET.get("token", "").encode()
        return hmac.compare_digest(offered, expected_secret)
    offered_signature = request.headers.get(SIGNATURE_HEADER, "").encode()
    return hmac.compare_digest(offered_signature, sign(endpoint.secret, body).encode())


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The body, or None when it is (or declares itself) larger than ``limit``."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@login_not_required
@csrf_exempt
@require_POST
def receive(request: HttpRequest, integration_id: str, hook_id: str) -> JsonResponse:
    """The webhook endpoint; see the module docstring for the order of checks."""
    endpoint = (WebhookEndpoint.objects.select_related("integration")
                .filter(integration__integration_id=integration_id, hook_id=hook_id, enabled=True).first())
    if endpoint is None:
        return _error(404, "unknown webhook")
    try:
        gateway = integration_factory.get_gateway(integration_id)
    except (ConfigurationError, ImportError, AttributeError):
        return _error(404, "unknown webhook")
    register_secret(endpoint.secret)
    body = _read_body(request, endpoint.max_bytes)
    if body is None:
        return _error(413, f"body larger than {endpoint.max_bytes} bytes")
    if not _authenticated(endpoint, request, body):
        logger.warning("webhook %s/%s: authentication failed", integration_id, hook_id)
        return _error(401, "authentication failed")
    try:
        payload = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body is not JSON")
    try:
        with transaction.atomic():
            result = gateway.handle_webhook(hook_id, payload, dict(request.headers))
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                received_count=F("received_count") + 1, last_received_at=timezone.now())
    except (DataValidationError, RequestError) as refused:
        logger.warning("webhook %s/%s: payload refused: %s", integration_id, hook_id, refused.message)
        return _error(400, refused.message)
    except NotImplementedError:
        return _error(404, "unknown webhook")
    except IntegrationError as failed:
        logger.warning("webhook %s/%s: %s", integration_id, hook_id, failed.message)
        return _error(503 if failed.transient else 400, failed.message)
    body_out: dict[str, Any] = {"accepted": True}
    if isinstance(result, dict):
        body_out.update(result)
    logger.info("webhook %s/%s accepted", integration_id, redact(hook_id))
    return JsonResponse(body_out)
