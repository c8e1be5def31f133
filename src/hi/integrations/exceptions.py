"""The integration exception hierarchy: each error knows whether retrying can help."""

from __future__ import annotations

from hi.utils.redaction import redact


class IntegrationError(Exception):
    """Base of every error an integration raises; ``transient`` says whether a retry may help."""

    transient: bool = False
    default_message = "integration error"

    def __init__(self, message: str | None = None, *, integration_id: str | None = None,
                 transient: bool | None = None) -> None:
        self.message = redact(message or self.default_message)
        self.integration_id = integration_id
        if transient is not None:
            self.transient = transient
        super().__init__(self.message)

    @property
    def permanent(self) -> bool:
        return not self.transient


class ConfigurationError(IntegrationError):
    """The configuration itself is wrong; ``field_errors`` maps attribute keys to messages."""

    transient = False
    default_message = "invalid configuration"

    def __init__(self, message: str | None = None, *, field_errors: dict[str, str] | None = None,
                 integration_id: str | None = None) -> None:
        self.field_errors = dict(field_errors or {})
        if message is None and self.field_errors:
            message = "; ".join(f"{key}: {text}" for key, text in self.field_errors.items())
        super().__init__(message, integration_id=integration_id)


class IntegrationConnectionError(IntegrationError):
    """The external system could not be reached, timed out, or reset the connection."""

    transient = True
    default_message = "cannot reach the external system"


class IntegrationTimeoutError(IntegrationConnectionError):
    """A connect or read timeout; transient."""

    default_message = "the external system did not answer in time"


class ServerError(IntegrationConnectionError):
    """The external system answered with a 5xx; transient."""

    default_message = "the external system reported an error"

    def __init__(self, message: str | None = None, *, status_code: int | None = None, **kwargs) -> None:
        self.status_code = status_code
        super().__init__(message, **kwargs)


class AuthenticationError(IntegrationError):
    """Credentials were refused; permanent until the user supplies new ones."""

    transient = False
    default_message = "the external system refused the credentials"


class DataValidationError(IntegrationError):
    """A payload did not match its schema; ``field`` names the offending location when known."""

    transient = False
    default_message = "the external system sent data that does not match its schema"

    def __init__(self, message: str | None = None, *, field: str | None = None, **kwargs) -> None:
        self.field = field
        super().__init__(message, **kwargs)


class RequestError(IntegrationError):
    """The external system rejected our request (4xx other than auth and rate limit)."""

    transient = False
    default_message = "the external system rejected the request"

    def __init__(self, message: str | None = None, *, status_code: int | None = None, **kwargs) -> None:
        self.status_code = status_code
        super().__init__(message, **kwargs)


class RateLimitedError(IntegrationError):
    """Told to slow down (429); transient, ``retry_after`` in seconds when the server said."""

    transient = True
    default_message = "the external system asked us to slow down"

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kwargs) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class CircuitOpenError(IntegrationError):
    """The circuit breaker is open: calls are refused locally until ``retry_at`` (monotonic seconds)."""

    transient = True
    default_message = "too many recent failures; waiting before trying again"

    def __init__(self, message: str | None = None, *, retry_at: float | None = None, **kwargs) -> None:
        self.retry_at = retry_at
        super().__init__(message, **kwargs)


class ControlError(IntegrationError):
    """A control request could not be carried out."""

    default_message = "the control request failed"
