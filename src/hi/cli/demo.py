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


def wire_integration(name: str, simulator: Any) -> None:
    """Configure, enable and sync one integration against its simulator; report problems, never stop."""
    from hi.apps.api import actions
    from hi.integrations import integration_factory
    from hi.integrations.enums import IntegrationStatus
    from hi.integrations.models import Integration

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
    note("integration", f"  {name}: configured, enabled and synced ({_count_summary(report)})", name=name,
         status="ready", counts=report.get("counts") if isinstance(report, dict) else None)


def _count_summary(report: Any) -> str:
    if isinstance(report, dict):
        counts = report.get("counts")
        if isinstance(counts, dict):
            return ", ".join(f"{k} {v}" for k, v in counts.items() if v) or "no changes"
    return "done"
