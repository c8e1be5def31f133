"""Keeps tokens and passwords out of logs, exception messages and health text."""

from __future__ import annotations

import logging
import re
import threading

_SECRET_NAME = r"(?:\w+_)?(?:token|pass(?:word)?|passwd|secret|api_?key)"
_PATTERNS = [
    # token=..., access_token=..., pass=... in URLs and form bodies
    re.compile(rf"(?i)\b({_SECRET_NAME}=)([^\s&\"',}}]+)"),
    # "token": "..." in JSON-ish text (a quoted key, so prose such as "wrong token: Home…" stays readable)
    re.compile(rf"(?i)([\"']{_SECRET_NAME}[\"']\s*:\s*[\"']?)([^\s\"',}}]+)"),
    # Authorization headers; "Bearer <x>" anywhere
    re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:basic|token)\s+)([^\s\"',}]+)"),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._~+/=-]{6,})"),
]
_known_secrets: set[str] = set()
_lock = threading.Lock()
REDACTED = "***"


def register_secret(value: str | None) -> None:
    """Remember a configured secret so it is masked wherever it appears, whatever the format."""
    if value and len(value) >= 4:
        with _lock:
            _known_secrets.add(value)


def redact(text: object) -> str:
    """Return ``text`` with every known secret and secret-looking parameter masked."""
    result = str(text)
    with _lock:
        secrets = sorted(_known_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in result:
            result = result.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        result = pattern.sub(lambda m: f"{m.group(1)}{REDACTED}", result)
    return result


class RedactingFilter(logging.Filter):
    """Logging filter that rewrites each record's message through :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            message = str(record.msg)
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
