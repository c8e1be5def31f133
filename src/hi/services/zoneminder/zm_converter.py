"""ZoneMinder payloads → our model: the inventory (server + cameras) and sensor responses.

One place decides every integration key, so sync, monitor and controller can never disagree.
Times from ZoneMinder are the server's wall-clock time and become aware datetimes here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from hi.apps.entity.enums import EntityStateType, EntityType
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import Correlation, SensorResponse
from hi.integrations.sync.inventory import (
    ExternalAttribute,
    ExternalController,
    ExternalEntity,
    ExternalSensor,
    ExternalState,
    Inventory,
)

from .zm_client import INTEGRATION_ID
from .zm_models import MONITOR_FUNCTIONS, MonitorEntry, RunState, ZmEvent

STOPPED = "stop"
SERVER_NAME = "server"
RUN_STATE = "server.run_state"


def key(name: str) -> IntegrationKey:
    return IntegrationKey(INTEGRATION_ID, name)


def camera_name(monitor_id: int) -> str:
    return f"monitor.{monitor_id}"


def movement_key(monitor_id: int) -> IntegrationKey:
    return key(f"monitor.{monitor_id}.movement")


def function_key(monitor_id: int) -> IntegrationKey:
    return key(f"monitor.{monitor_id}.function")


def connection_key(monitor_id: int) -> IntegrationKey:
    return key(f"monitor.{monitor_id}.connection")


def monitor_id_from_key(name: str) -> int | None:
    """``monitor.7.function`` → 7; None for anything else."""
    parts = name.split(".")
    if len(parts) >= 2 and parts[0] == "monitor" and parts[1].isdigit():
        return int(parts[1])
    return None


def snapshot_path(monitor_id: int) -> str:
    """Our proxy, never ZoneMinder's own address: the browser must not see tokens."""
    return f"/zoneminder/monitors/{monitor_id}/snapshot.jpg"


def stream_path(monitor_id: int) -> str:
    return f"/zoneminder/monitors/{monitor_id}/stream"


def event_base_path(monitor_id: int, event_id: int) -> str:
    """Where a recorded event's media is proxied: ``…/thumbnail.jpg``, ``…/frames/<n>.jpg``, ``…/video.mp4``."""
    return f"/zoneminder/monitors/{monitor_id}/events/{event_id}"


def to_aware(local: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Attach the server's zone to a naive ZoneMinder timestamp (first occurrence in a DST fold)."""
    return local.replace(tzinfo=tz) if local.tzinfo is None else local


def run_state_value(states: Sequence[RunState], daemons_running: bool) -> str:
    """``stop`` while ZoneMinder's daemons are stopped, else the active run state's name."""
    if not daemons_running:
        return STOPPED
    return next((s.Name for s in states if s.IsActive), "default")


def run_state_range(states: Sequence[RunState]) -> list[str]:
    names = [s.Name for s in states]
    return [*names, STOPPED] if STOPPED not in names else names


def connection_value(entry: MonitorEntry) -> str:
    status = entry.Monitor_Status
    return "connected" if status is not None and status.connected else "disconnected"


def build_inventory(monitors: Sequence[MonitorEntry], states: Sequence[RunState], daemons_running: bool,
                    version: str = "") -> Inventory:
    """The server entity and one camera entity per monitor, with their states, sensors and controllers."""
    server = ExternalEntity(
        key=key(SERVER_NAME), name="ZoneMinder", entity_type=EntityType.SERVER,
        states=(ExternalState(
            state_key="run_state", name="Run state", state_type=EntityStateType.DISCRETE,
            value_range=run_state_range(states),
            sensor=ExternalSensor(key(RUN_STATE), "ZoneMinder run state"),
            controller=ExternalController(key(RUN_STATE), "ZoneMinder run state"),
            value=run_state_value(states, daemons_running)),),
        attributes=(ExternalAttribute("Version", version),) if version else (),
    )
    return Inventory(INTEGRATION_ID, (server, *(camera_entity(entry) for entry in monitors)))


def camera_entity(entry: MonitorEntry) -> ExternalEntity:
    monitor = entry.Monitor
    mid = monitor.Id
    states = (
        ExternalState(state_key="movement", name="Movement", state_type=EntityStateType.MOVEMENT,
                      value_range=["idle", "active"], sensor=ExternalSensor(movement_key(mid), f"{monitor.Name} motion")),
        ExternalState(state_key="function", name="Function", state_type=EntityStateType.DISCRETE,
                      value_range=list(MONITOR_FUNCTIONS),
                      sensor=ExternalSensor(function_key(mid), f"{monitor.Name} function"),
                      controller=ExternalController(function_key(mid), f"{monitor.Name} function"),
                      value=str(monitor.Function)),
        ExternalState(state_key="connection", name="Connection", state_type=EntityStateType.CONNECTIVITY,
                      value_range=["connected", "disconnected"],
                      sensor=ExternalSensor(connection_key(mid), f"{monitor.Name} connection"),
                      value=connection_value(entry)),
    )
    size = f"{monitor.Width}x{monitor.Height}" if monitor.Width and monitor.Height else ""
    attributes = tuple(a for a in (
        ExternalAttribute("Live stream", stream_path(mid), "url"),
        ExternalAttribute("Snapshot", snapshot_path(mid), "url"),
        ExternalAttribute("Source type", monitor.Type),
        ExternalAttribute("Resolution", size),
    ) if a.value)
    return ExternalEntity(key=key(camera_name(mid)), name=monitor.Name, entity_type=EntityType.CAMERA,
                          states=states, attributes=attributes,
                          payload={"monitor_id": mid, "stream_path": stream_path(mid),
                                   "snapshot_path": snapshot_path(mid)})


def _event_details(event: ZmEvent, tz: dt.tzinfo) -> dict[str, Any]:
    details: dict[str, Any] = {"event_id": event.Id, "monitor_id": event.MonitorId, "cause": event.Cause,
                               "name": event.Name, "start": to_aware(event.StartDateTime, tz).isoformat()}
    if event.Notes:
        details["notes"] = event.Notes
    if event.DefaultVideo:
        details["video"] = True  # ZoneMinder stored an MP4 for it (view_video plays it)
    if not event.is_open:
        details.update({"frames": event.Frames, "alarm_frames": event.AlarmFrames, "max_score": event.MaxScore,
                        "avg_score": event.AvgScore, "tot_score": event.TotScore, "length": event.Length})
    return details


def event_start(event: ZmEvent, tz: dt.tzinfo) -> SensorResponse:
    return SensorResponse(movement_key(event.MonitorId), "active", to_aware(event.StartDateTime, tz),
                          _event_details(event, tz), Correlation("start", str(event.Id)))


def event_end(event: ZmEvent, tz: dt.tzinfo) -> SensorResponse:
    assert event.EndDateTime is not None
    start = to_aware(event.StartDateTime, tz)
    end = max(to_aware(event.EndDateTime, tz), start)
    details = _event_details(event, tz)
    details["duration_seconds"] = (end - start).total_seconds()
    return SensorResponse(movement_key(event.MonitorId), "idle", end, details, Correlation("end", str(event.Id)))


def order_responses(responses: Iterable[SensorResponse]) -> list[SensorResponse]:
    """Time order; at equal seconds an end goes before a start (back-to-back events on one camera)."""
    return sorted(responses, key=lambda r: (r.timestamp, 0 if r.correlation and r.correlation.role == "end" else 1))


def status_responses(monitors: Sequence[MonitorEntry], states: Sequence[RunState],
                     daemons_running: bool, now: dt.datetime) -> list[SensorResponse]:
    """Function and connection of every camera, and the server's run state, as of ``now``."""
    responses = []
    for entry in monitors:
        mid = entry.Monitor.Id
        responses.append(SensorResponse(function_key(mid), str(entry.Monitor.Function), now,
                                        {"enabled": entry.Monitor.Enabled}))
        responses.append(SensorResponse(connection_key(mid), connection_value(entry), now,
                                        {"status": entry.Monitor_Status.Status if entry.Monitor_Status else None}))
    responses.append(SensorResponse(key(RUN_STATE), run_state_value(states, daemons_running), now))
    return responses
