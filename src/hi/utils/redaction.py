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
    """Return ``text`` with every known secret and secret-looking parameter masked.

    Every match is found in the original text and overlapping matches are masked as one, so a
    known secret inside a longer token cannot leave the rest of that token readable."""
    result = str(text)
    with _lock:
        secrets = list(_known_secrets)
    spans: list[tuple[int, int]] = []
    for secret in secrets:
        start = result.find(secret)
        while start != -1:
            spans.append((start, start + len(secret)))
            start = result.find(secret, start + 1)
    for pattern in _PATTERNS:
        spans.extend(match.span(2) for match in pattern.finditer(result))
    if not spans:
        return result
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces: list[str] = []
    cursor = 0
    for start, end in merged:
        pieces += [result[cursor:start], REDACTED]
        cursor = end
    pieces.append(result[cursor:])
    return "".join(pieces)


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
