"""Maps httpx outcomes onto ``hi.integrations.exceptions`` and says whether a retry is safe."""

from __future__ import annotations

import enum

import httpx

from hi.integrations import exceptions as exc
from hi.utils.redaction import redact

from .retry import parse_retry_after


class RetryKind(enum.Enum):
    """Why a failure might be retried: decides together with idempotency whether it is safe."""

    NEVER = "never"
    NOT_SENT = "not_sent"  # the request never reached the server: safe even for POST
    AFTER_SEND = "after_send"  # the server may have acted: only for idempotent requests
    STATUS = "status"  # a retryable status code: only for idempotent requests


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def describe(request: httpx.Request) -> str:
    """``METHOD url`` with every secret masked, for messages and logs."""
    return redact(f"{request.method} {request.url}")


def from_transport_error(error: httpx.RequestError, request: httpx.Request,
                         integration_id: str | None) -> tuple[exc.IntegrationError, RetryKind]:
    what = describe(request)
    if isinstance(error, httpx.DecodingError):
        return exc.DataValidationError(f"{what}: body could not be decoded", integration_id=integration_id), \
            RetryKind.NEVER
    if isinstance(error, httpx.TooManyRedirects):
        return exc.RequestError(f"{what}: too many redirects", integration_id=integration_id), RetryKind.NEVER
    kind = RetryKind.NOT_SENT if isinstance(error, _NOT_SENT) else RetryKind.AFTER_SEND
    reason = redact(str(error) or type(error).__name__)
    if isinstance(error, httpx.TimeoutException):
        phase = "connect" if isinstance(error, httpx.ConnectTimeout) else "read"
        limit = (request.extensions.get("timeout") or {}).get(phase)  # what httpx waited: says which setting
        within = f" (nothing within {limit:g} s)" if isinstance(limit, int | float) else ""
        return exc.IntegrationTimeoutError(f"{what}: {phase} timeout{within}", integration_id=integration_id), kind
    if isinstance(error, httpx.UnsupportedProtocol):
        return exc.ConfigurationError(f"{what}: {reason}", integration_id=integration_id), RetryKind.NEVER
    if isinstance(error, httpx.ConnectError):
        return exc.IntegrationConnectionError(f"{what}: cannot connect ({reason})", integration_id=integration_id), kind
    return exc.IntegrationConnectionError(f"{what}: connection failed ({type(error).__name__}: {reason})",
                               integration_id=integration_id), kind


def _excerpt(response: httpx.Response) -> str:
    try:
        text = response.content[:300].decode("utf-8", "replace").strip()
    except httpx.ResponseNotRead:
        return ""
    return f": {redact(' '.join(text.split())[:200])}" if text else ""


def from_status(response: httpx.Response, integration_id: str | None,
                retry_statuses: frozenset[int]) -> tuple[exc.IntegrationError | None, RetryKind, float | None]:
    """The error a response status means (None for success), its retry kind and ``Retry-After``."""
    status = response.status_code
    if status < 400:
        return None, RetryKind.NEVER, None
    what = f"{describe(response.request)} → {status}"
    kind = RetryKind.STATUS if status in retry_statuses else RetryKind.NEVER
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    error: exc.IntegrationError
    if status in (401, 403):
        error = exc.AuthenticationError(f"{what}: credentials refused", integration_id=integration_id)
    elif status == 429:
        error = exc.RateLimitedError(f"{what}: rate limited", retry_after=retry_after,
                                     integration_id=integration_id)
    elif status == 408:
        error = exc.IntegrationTimeoutError(f"{what}: server timed out waiting for the request",
                                 integration_id=integration_id)
    elif status >= 500:
        error = exc.ServerError(f"{what}{_excerpt(response)}", status_code=status, integration_id=integration_id)
    else:
        error = exc.RequestError(f"{what}{_excerpt(response)}", status_code=status, integration_id=integration_id)
    return error, kind, retry_after


def from_exception(error: httpx.HTTPError | exc.IntegrationError, request: httpx.Request,
                   integration_id: str | None,
                   retry_statuses: frozenset[int]) -> tuple[exc.IntegrationError, RetryKind, float | None]:
    """What a failed attempt raised, as (error, retry kind, ``Retry-After``): one table for both clients."""
    if isinstance(error, exc.IntegrationError):
        return error, RetryKind.NEVER, None
    if isinstance(error, httpx.RequestError):
        transport_error, kind = from_transport_error(error, request, integration_id)
        return transport_error, kind, None
    # an httpx.HTTPStatusError, raised by an auth flow's login (its own request, not ``request``)
    assert isinstance(error, httpx.HTTPStatusError)
    status_error, kind, retry_after = from_status(error.response, integration_id, retry_statuses)
    if status_error is None:  # a 1xx/3xx the login did not expect
        status_error = exc.RequestError(f"{describe(error.request)} → {error.response.status_code}: unexpected answer",
                                        status_code=error.response.status_code, integration_id=integration_id)
    return status_error, kind, retry_after
