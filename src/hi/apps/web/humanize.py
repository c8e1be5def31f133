"""Failures in people's words: a sentence first, the technical detail (no secrets) one click away.

Integrations and the client layer report what went wrong for programmers ("POST http://… → 503: {…}",
"cannot connect", "circuit open"); pages show "Home Assistant is not answering (server error 503)" and
keep the original — with URLs cut to their path and secrets masked — behind a "Details" toggle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hi.utils.redaction import redact

_STATUS = re.compile(r"(?:→|->|status(?: code)?:?|HTTP)\s*(\d{3})\b|\b(\d{3})\s*:\s*[{\[\"']", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s\"'<>]+")
_CONNECT = re.compile(r"cannot connect|connection refused|connect(?:ion)? (?:error|failed)|unreachable|"
                      r"name or service not known|no route to host|connection reset|all connection attempts failed",
                      re.IGNORECASE)
_TIMEOUT = re.compile(r"timed? ?out|timeout|did not answer", re.IGNORECASE)
_BREAKER = re.compile(r"too many recent failures|circuit (?:breaker )?(?:is )?open", re.IGNORECASE)
_CREDENTIALS = re.compile(r"credentials|unauthori[sz]ed|forbidden|access token|invalid token|login failed",
                          re.IGNORECASE)
_RETRY_IN = re.compile(r"(?:retry(?:ing)?|next trial|try again) in (\d+(?:\.\d+)?)\s*s", re.IGNORECASE)


@dataclass(frozen=True)
class HumanError:
    """``sentence`` for everyone; ``detail`` (no secrets, no query strings) for whoever opens it."""

    sentence: str
    detail: str


def _clean_url(match: re.Match[str]) -> str:
    """Keep scheme, host and path; drop the query string, where tokens travel."""
    return match.group(0).split("?", 1)[0].rstrip(".,;)")


def technical_detail(text: str, limit: int = 400) -> str:
    """The original message with secrets masked and URLs cut to their path, at most ``limit`` characters."""
    cleaned = _URL.sub(_clean_url, redact(str(text or "")))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def _status_words(code: int) -> str:
    if code in (401, 403):
        return "refused our credentials"
    if code == 404:
        return "does not know what we asked for (not found)"
    if code == 429:
        return "is busy and asked us to slow down"
    if 500 <= code < 600:
        return f"is not answering (server error {code})"
    if 400 <= code < 500:
        return f"refused the request (error {code})"
    return f"answered with an unexpected status ({code})"


def human_error(text: str, label: str) -> HumanError:
    """One sentence about ``label`` ('Home Assistant') from a technical message, plus the cleaned detail."""
    raw = str(text or "").strip()
    detail = technical_detail(raw)
    if not raw:
        return HumanError(f"{label} reported a problem without saying what", "")
    status = _STATUS.search(raw)
    if status:
        words = _status_words(int(status.group(1) or status.group(2)))
    elif _CREDENTIALS.search(raw):
        words = "refused our credentials; they need to be entered again"
    elif _TIMEOUT.search(raw):
        words = "did not answer in time"
    elif _CONNECT.search(raw):
        words = "cannot be reached"
    elif _BREAKER.search(raw):
        words = "failed several times in a row; waiting before trying again"
    else:
        first = _URL.sub("", raw).split("\n", 1)[0].strip(" :;,.")
        return HumanError(f"{label}: {first[:160]}" if first else f"{label} reported a problem", detail)
    retry = _RETRY_IN.search(raw)
    if retry:
        words += f"; retrying in {round(float(retry.group(1)))} s"
    return HumanError(f"{label} {words}", detail)
