"""``hi demo``: the hub wired to in-process simulators of Home Assistant, ZoneMinder, weather and HomeBox."""

from __future__ import annotations

import contextlib
from typing import Any

from hi.utils.redaction import redact

from .output import note
from .server import make_simulator, simulator_names

DEMO_INTEGRATIONS = ("hass", "zoneminder", "weather", "homebox")


def simulator_attributes(simulator: Any) -> dict[str, str]:
    """The settings that point an integration at this simulator (each demo simulator declares them)."""
    return {key: str(value) for key, value in simulator.integration_attributes().items()}


def start_simulators(stack: contextlib.ExitStack) -> dict[str, Any]:
    """Each simulator on its own loop in a thread on a free port (so synchronous calls cannot block it)."""
    running: dict[str, Any] = {}
    available = simulator_names()
    for name in DEMO_INTEGRATIONS:
        if name not in available:
            note("simulator", f"  {name}: no simulator yet, skipped", name=name, status="missing")
            continue
        try:
            simulator = make_simulator(name)
            stack.enter_context(simulator.running_in_thread())
        except Exception as exc:
            note("simulator", f"  {name}: simulator did not start ({redact(exc)}), skipped", name=name,
                 status="failed")
            continue
        note("simulator", f"  {name}: simulator at {simulator.url}", name=name, status="running", url=simulator.url)
        running[name] = simulator
    return running


def use_simulated_time_zone(simulators: dict[str, Any]) -> None:
    """The demo household lives where its simulated weather is, unless a zone was already chosen."""
    from hi.apps.household import store, timezones

    zone_of = getattr(simulators.get("weather"), "household_time_zone", None)
    if zone_of is None or timezones.current().source != "system" or store.get(timezones.SETTING_KEY):
        return
    timezones.set_zone(zone_of(), updated_by="hi demo")
    note("time_zone", f"  time zone: {zone_of()} (the simulated location's; change it on the Settings page)",
         zone=zone_of())


def wire_integration(name: str, simulator: Any) -> None:
    """Configure, enable and sync one integration against its simulator; report problems, never stop."""
    from hi.integrations import integration_factory
    from hi.integrations.enums import IntegrationStatus
    from hi.integrations.models import Integration
    from hi.operations import actions

    if name not in integration_factory.available_integration_ids():
        note("integration", f"  {name}: integration not available yet, skipped", name=name, status="missing")
        return
    try:
        actions.configure(name, simulator_attributes(simulator), test=True)
        status = Integration.objects.get(integration_id=name).status
        if status == IntegrationStatus.PAUSED:
            actions.lifecycle_action(name, "resume")
        elif status != IntegrationStatus.ACTIVE:
            actions.lifecycle_action(name, "enable")
        report = actions.sync(name)
    except Exception as exc:
        reason = redact(getattr(exc, "message", exc))
        note("integration", f"  {name}: could not be set up: {reason}", name=name, status="failed")
        return
    summary = ", ".join(f"{k} {v}" for k, v in report.counts.items() if v) or "no changes"
    note("integration", f"  {name}: configured, enabled and synced ({summary})", name=name,
         status="ready", counts=report.counts)


def start_inbox(stack: contextlib.ExitStack) -> Any | None:
    """A loopback mail server and webhook receiver, with the demo's two notification channels pointed at it."""
    from hi.apps.alarm.models import Channel
    from hi.simulator.inbox import InboxSimulator

    inbox = InboxSimulator()
    try:
        stack.enter_context(inbox.running_in_thread())
    except Exception as exc:
        note("inbox", f"  notifications: inbox did not start ({redact(exc)}), skipped", status="failed")
        return None
    for name, url, level in (("demo-mail", inbox.mail_url(), "warning"), ("demo-webhook", inbox.webhook_url(), "info")):
        Channel.objects.update_or_create(name=name, defaults={"url": url, "min_level": level, "enabled": True})
    note("inbox", f"  notifications: channels demo-mail and demo-webhook deliver to {inbox.url}/ (open it to see "
         "what arrived; the basement leak sensor gets wet every few minutes)", url=inbox.url, status="running")
    return inbox


def seed_places() -> None:
    """Floors, rooms, a plan with the simulated things on it, and a collection (kept across restarts)."""
    from hi.apps.places.demo import seed_demo_places

    try:
        result = seed_demo_places()
    except Exception as exc:  # the demo runs without places rather than not at all
        note("places", f"  places: could not be set up: {redact(exc)}", status="failed")
        return
    plan = result["plan"]
    note("places", f"  places: {result['places']} places"
         + (f", a plan of {plan['location']} with {plan['placements']} things on it" if plan else "")
         + (f", collection “{result['collection']['name']}”" if result["collection"] else ""),
         status="ready", **result)
