"""Failures read as sentences with the detail one click away; health details read as people's words."""

from __future__ import annotations

from hi.apps.web.humanize import human_error
from hi.apps.web.templatetags.hi_web import flat_items


def test_a_server_error_is_a_sentence_and_the_detail_keeps_no_query_string():
    problem = human_error('POST http://127.0.0.1:44415/api/services/light/turn_on → 503: {"message": "simulated error 503"}',
                          "Home Assistant")
    assert problem.sentence == "Home Assistant is not answering (server error 503)"
    assert "/api/services/light/turn_on" in problem.detail and "503" in problem.detail


def test_a_token_in_a_url_never_reaches_the_detail():
    problem = human_error("GET http://zm.local/zm/api/monitors.json?token=abc.def.ghi failed: cannot connect",
                          "ZoneMinder")
    assert problem.sentence == "ZoneMinder cannot be reached"
    assert "token" not in problem.detail and "abc.def" not in problem.detail


def test_timeouts_credentials_and_retry_times():
    assert human_error("read timed out after 30 s", "Weather").sentence == "Weather did not answer in time"
    assert "credentials" in human_error("401 Unauthorized: invalid access token", "Home Assistant").sentence
    assert human_error("HTTP 500 from upstream; retrying in 25.5 s", "X").sentence.endswith("retrying in 26 s")


def test_breaker_floats_are_left_out_and_waits_read_in_seconds():
    details = {"breaker": {"state": "open", "opened_at": 740.044627361, "next_trial_in": 25.536026831000072},
               "last_poll_at": "2026-11-30T20:02:00+00:00"}
    shown = dict(flat_items(details))
    assert "breaker opened at" not in shown
    assert shown["breaker next trial in"] == "in 26 s" and shown["breaker state"] == "open"
