"""Secrets are masked wherever they appear; ordinary prose about tokens stays readable."""

import logging

import pytest

from hi.utils.redaction import REDACTED, RedactingFilter, redact, register_secret


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /events.json?token=abc123&page=2", f"GET /events.json?token={REDACTED}&page=2"),
        ("user=admin&pass=s3cret", f"user=admin&pass={REDACTED}"),
        ("auth_token=zzz9", f"auth_token={REDACTED}"),
        ('{"access_token": "eyJ.abc", "expires": 7200}', f'{{"access_token": "{REDACTED}", "expires": 7200}}'),
        ("{'password': 'hunter22'}", f"{{'password': '{REDACTED}'}}"),
        ("Authorization: Bearer abcdef123", f"Authorization: Bearer {REDACTED}"),
    ],
)
def test_secret_looking_values_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "prose",
    [
        "wrong token: Home Assistant refused the access token",
        "authorization: denied by the server",
        "the password is required",
    ],
)
def test_prose_about_secrets_is_left_alone(prose: str) -> None:
    assert redact(prose) == prose


def test_registered_secrets_are_masked_in_any_format() -> None:
    register_secret("Zq8-very-private-value")
    assert "Zq8-very-private-value" not in redact("failed with header X-Key Zq8-very-private-value, retrying")


def test_logging_filter_rewrites_the_message_and_its_arguments() -> None:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "calling %s", ("/api?token=abc123",), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == f"calling /api?token={REDACTED}"


def test_a_registered_secret_inside_a_longer_token_masks_the_whole_token() -> None:
    register_secret("Pq7short")
    assert redact("Authorization: Bearer Pq7short-and-the-rest") == f"Authorization: Bearer {REDACTED}"
    assert redact("a Pq7short b Pq7short") == f"a {REDACTED} b {REDACTED}"
