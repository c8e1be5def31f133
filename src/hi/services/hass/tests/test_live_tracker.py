"""A full listing is submitted as a delta, and its allowed entity ids tell whether HA's set drifted from ours."""

from __future__ import annotations

from hi.services.hass.client import HassState
from hi.services.hass.hass_converter import Allowlist
from hi.services.hass.hass_live import LiveStateTracker


def st(entity_id: str, state: str) -> HassState:
    return HassState(entity_id=entity_id, state=state, last_updated=f"2026-01-01T00:00:0{len(state)}+00:00")


def test_a_listing_reports_the_allowed_ids_it_saw_and_the_drift_in_words() -> None:
    tracker = LiveStateTracker(Allowlist.parse("light"), known_ids={"light.porch", "light.hall"})
    delta = tracker.delta([st("light.porch", "on"), st("light.kitchen", "off"), st("switch.heater", "on")])
    assert delta.seen == {"light.porch", "light.kitchen"}  # the switch is not allowed, so not seen
    reason = tracker.snapshot_drift(delta.seen)
    assert "1 new in Home Assistant (e.g. light.kitchen)" in reason
    assert "1 gone from Home Assistant (e.g. light.hall)" in reason


def test_an_unchanged_listing_submits_nothing_and_shows_no_drift() -> None:
    tracker = LiveStateTracker(Allowlist.parse("light"), known_ids={"light.porch"})
    first = tracker.delta([st("light.porch", "on")])
    assert first.responses and first.seen == tracker.known_ids
    tracker.remember(first.signatures)
    again = tracker.delta([st("light.porch", "on")])
    assert again.responses == [] and tracker.snapshot_drift(again.seen) == ""
