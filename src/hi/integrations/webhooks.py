"""Inbound webhooks: ``POST /api/v1/webhooks/<integration_id>/<hook_id>`` routed to the owning gateway.

Each hook has its own secret (sealed at rest, hi.utils.sealed) and one of two authentication modes:

- ``hmac`` (default): headers ``X-Hi-Timestamp: <unix seconds>`` and
  ``X-Hi-Signature-256: sha256=<hex HMAC-SHA256 of "<timestamp>." + raw body>``. A delivery whose
  timestamp is more than five minutes from the hub's clock is refused, and so is one whose signature
  was already accepted (replays within the window): a captured request cannot be sent again.
- ``url_secret``: the secret as ``?token=<secret>``, for senders that cannot sign (no replay
  protection; ``token=`` values are masked by ``hi.utils.redaction`` wherever they would be logged).

Both are compared in constant time. Order of checks, each leaving the database untouched on failure:
unknown, disabled or unhandled hook, and bad or missing authentication, all answer the same 401 (hook ids
cannot be probed); timestamp too old or in the future → 401 saying so; repeated delivery → 409; body over
the hook's limit → 413 (the ASGI layer already refused anything over 1 MB before reading it); body not
JSON → 400; payload refused by the gateway (``DataValidationError``/``RequestError``) → 400. Only an
accepted call updates ``received_count``/``last_received_at`` and does whatever ``handle_webhook`` does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hi.utils.redaction import redact, register_secret

from . import integration_factory
from .exceptions import ConfigurationError, DataValidationError, IntegrationError, RequestError
from .models import Integration, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("hi.integrations.webhooks")
SIGNATURE_HEADER = "X-Hi-Signature-256"
TIMESTAMP_HEADER = "X-Hi-Timestamp"
SIGNATURE_PREFIX = "sha256="
TOLERANCE_SECONDS = 300
MAX_HOOK_BYTES = 1024 * 1024  # the ASGI layer's ceiling for /api/v1/webhooks/ (hi.http.body_limits)
_DUMMY_KEY = secrets.token_bytes(32)  # unknown hooks cost the same HMAC as known ones


class WebhookNotFound(ConfigurationError):
    """No webhook with that id or path (CLI/UI revoke)."""


def sign(secret: str, body: bytes, timestamp: int | str) -> str:
    """The ``X-Hi-Signature-256`` value a sender puts on ``body`` sent at ``timestamp`` (unix seconds)."""
    message = str(timestamp).encode() + b"." + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Both headers of a signed delivery, timestamped now unless told otherwise."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: sign(secret, body, stamp)}


def create_webhook(integration_id: str, hook_id: str, *, mode: str = WebhookEndpoint.Mode.HMAC,
                   max_bytes: int = 64 * 1024, secret: str | None = None) -> tuple[WebhookEndpoint, str]:
    """Create (or re-key) a hook; returns it and its secret, which the sender must be given once."""
    from django.utils.text import slugify

    if not hook_id or slugify(hook_id) != hook_id or len(hook_id) > 64:
        raise ConfigurationError(field_errors={"hook_id": "letters, digits, - and _ only (up to 64)"})
    if integration_id not in integration_factory.available_integration_ids():
        raise ConfigurationError(field_errors={"integration": f"no integration {integration_id!r}"})
    if mode not in WebhookEndpoint.Mode.values:
        raise ConfigurationError(field_errors={"mode": f"choose one of: {', '.join(WebhookEndpoint.Mode.values)}"})
    if not 1 <= max_bytes <= MAX_HOOK_BYTES:
        raise ConfigurationError(field_errors={"max_bytes": f"between 1 and {MAX_HOOK_BYTES}"})
    integration, _ = Integration.objects.get_or_create(integration_id=integration_id)
    secret = secret or secrets.token_urlsafe(32)
    endpoint, _ = WebhookEndpoint.objects.update_or_create(
        integration=integration, hook_id=hook_id,
        defaults={"secret": secret, "mode": mode, "max_bytes": max_bytes, "enabled": True})
    register_secret(secret)
    return endpoint, secret


def webhook_path(integration_id: str, hook_id: str) -> str:
    return f"/api/v1/webhooks/{integration_id}/{hook_id}"


def webhook_json(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """A hook as the CLI and the settings page show it: never its secret."""
    integration_id = endpoint.integration.integration_id
    return {"id": endpoint.pk, "integration": integration_id, "hook_id": endpoint.hook_id,
            "path": webhook_path(integration_id, endpoint.hook_id), "mode": endpoint.mode,
            "max_bytes": endpoint.max_bytes, "enabled": endpoint.enabled, "received_count": endpoint.received_count,
            "last_received_at": endpoint.last_received_at.isoformat() if endpoint.last_received_at else None,
            "created_at": endpoint.created_at.isoformat()}


def list_webhooks() -> list[dict[str, Any]]:
    return [webhook_json(e) for e in WebhookEndpoint.objects.select_related("integration").defer("secret")]


def find_webhook(ref: str | int) -> WebhookEndpoint:
    """A hook by id or ``integration/hook_id``."""
    text = str(ref).strip()
    queryset = WebhookEndpoint.objects.select_related("integration")
    if text.isdigit() and len(text) < 19:
        found = queryset.filter(pk=int(text)).first()
    else:
        integration_id, _, hook_id = text.partition("/")
        found = queryset.filter(integration__integration_id=integration_id, hook_id=hook_id).first()
    if found is None:
        raise WebhookNotFound(f"no webhook {text[:80]!r} (hi webhooks list shows them)")
    return found


def revoke_webhook(ref: str | int) -> dict[str, Any]:
    """Delete a hook: its secret stops working at once."""
    endpoint = find_webhook(ref)
    data = webhook_json(endpoint)
    endpoint.delete()
    return data


def _authenticated(endpoint: WebhookEndpoint | None, request: HttpRequest, body: bytes) -> bool:
    if endpoint is not None and endpoint.mode == WebhookEndpoint.Mode.URL_SECRET:
        offered = request.GET.get("token", "").encode()
        return hmac.compare_digest(offered, endpoint.secret.encode())
    stamp = request.headers.get(TIMESTAMP_HEADER, "")
    offered_signature = request.headers.get(SIGNATURE_HEADER, "").encode()
    if endpoint is None:  # the same work as for a real hook, then the same answer
        hmac.compare_digest(offered_signature, hmac.new(_DUMMY_KEY, stamp.encode() + b"." + body,
                                                        hashlib.sha256).hexdigest().encode())
        return False
    return hmac.compare_digest(offered_signature, sign(endpoint.secret, body, stamp).encode())


def _fresh(request: HttpRequest) -> bool:
    stamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
    if not stamp.isdigit() or len(stamp) > 12:
        return False
    return abs(time.time() - int(stamp)) <= TOLERANCE_SECONDS


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _refused() -> JsonResponse:
    return _error(401, "authentication failed")


def _find(integration_id: str, hook_id: str) -> WebhookEndpoint | None:
    """The enabled hook of an installed integration whose gateway handles webhooks, else None."""
    endpoint = (WebhookEndpoint.objects.select_related("integration")
                .filter(integration__integration_id=integration_id, hook_id=hook_id[:64], enabled=True).first())
    if endpoint is None:
        return None
    try:
        integration_factory.get_gateway(integration_id)
    except (ConfigurationError, ImportError, AttributeError):
        return None
    return endpoint


def _record_delivery(endpoint: WebhookEndpoint, request: HttpRequest) -> bool:
    """Remember a signed delivery for the replay window; False when it was already received."""
    if endpoint.mode != WebhookEndpoint.Mode.HMAC:
        return True
    now = timezone.now()
    WebhookDelivery.objects.filter(received_at__lt=now - timedelta(seconds=2 * TOLERANCE_SECONDS)).delete()
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(endpoint=endpoint, signature=request.headers.get(SIGNATURE_HEADER, "")[:80],
                                           received_at=now)
    except IntegrityError:
        return False
    return True


@login_not_required
@csrf_exempt
@require_POST
def receive(request: HttpRequest, integration_id: str, hook_id: str) -> JsonResponse:
    """The webhook endpoint; see the module docstring for the order of checks."""
    endpoint = _find(integration_id, hook_id)
    if endpoint is not None:
        register_secret(endpoint.secret)
    body = request.body  # at most 1 MB: the ASGI layer refused anything larger before it was read
    if not _authenticated(endpoint, request, body) or endpoint is None:
        logger.warning("webhook %s/%s: authentication failed (or no such hook)", integration_id, redact(hook_id))
        return _refused()
    if endpoint.mode == WebhookEndpoint.Mode.HMAC and not _fresh(request):
        logger.warning("webhook %s/%s: timestamp missing or more than %d s off", integration_id, hook_id,
                       TOLERANCE_SECONDS)
        return _error(401, f"timestamp missing or more than {TOLERANCE_SECONDS} s from the hub's clock")
    if len(body) > endpoint.max_bytes:
        return _error(413, f"body larger than {endpoint.max_bytes} bytes")
    try:
        payload = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return _error(400, "body is not JSON")
    gateway = integration_factory.get_gateway(integration_id)
    try:
        with transaction.atomic():
            if not _record_delivery(endpoint, request):
                logger.warning("webhook %s/%s: repeated delivery refused", integration_id, hook_id)
                return _error(409, "this delivery was already received")
            result = gateway.handle_webhook(hook_id, payload, dict(request.headers))
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
                received_count=F("received_count") + 1, last_received_at=timezone.now())
    except (DataValidationError, RequestError) as refused:
        logger.warning("webhook %s/%s: payload refused: %s", integration_id, hook_id, refused.message)
        return _error(400, refused.message)
    except NotImplementedError:
        return _refused()
    except IntegrationError as failed:
        logger.warning("webhook %s/%s: %s", integration_id, hook_id, failed.message)
        return _error(503 if failed.transient else 400, failed.message)
    body_out: dict[str, Any] = {"accepted": True}
    if isinstance(result, dict):
        body_out.update(result)
    logger.info("webhook %s/%s accepted", integration_id, redact(hook_id))
    return JsonResponse(body_out)
