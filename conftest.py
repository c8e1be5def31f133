"""Suite-wide fixtures: what one test teaches the process must not change what the next one sees."""

import logging
from collections.abc import Iterator

import pytest

from hi.integrations.client import reset_breakers, reset_metrics
from hi.utils import redaction


@pytest.fixture(autouse=True)
def _isolated_secret_registry() -> Iterator[None]:
    """Secrets a test registers (a host typed as a password, a word like 'nope') are forgotten after it,
    so redaction in one test never masks text that a later test in the same worker asserts on."""
    with redaction._lock:
        saved = set(redaction._known_secrets)
    yield
    with redaction._lock:
        redaction._known_secrets.clear()
        redaction._known_secrets.update(saved)


@pytest.fixture(autouse=True)
def _fresh_client_registries() -> Iterator[None]:
    """Circuit breakers and request metrics are per process: one test's failures must not open another's breaker."""
    reset_breakers()
    reset_metrics()
    yield
    reset_breakers()
    reset_metrics()


@pytest.fixture(autouse=True)
def _logging_enabled() -> Iterator[None]:
    """A CLI command run in-process silences logging for the whole process (``logging.disable``, as
    ``hi`` does for one-shot commands); undo it so a later test in the same worker still sees its logs."""
    logging.disable(logging.NOTSET)
    yield
    logging.disable(logging.NOTSET)
