"""What the simulated ZoneMinder server knows: monitors, events, run states, tokens and its clock.

Kept apart from the HTTP layer so tests can drive the event lifecycle directly (start and end
events at chosen times) while the server answers over a real socket. All access is locked because
tests call in from another thread than the one serving HTTP.
"""

from __future__ import annotations

import bisect
import datetime as dt
import secrets
import threading
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

FUNCTIONS = ("None", "Monitor", "Modect", "Record", "Mocord", "Nodect")
LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"


def _s(value: Any) -> str | None:
    """ZoneMinder's JSON carries every number as a string."""
    return None if value is None else str(value)


@dataclass
class SimMonitor:
    id: int
    name: str
    function: str = "Modect"
    enabled: bool = True
    type: str = "Ffmpeg"
    width: int = 640
    height: int = 480
    max_fps: float = 5.0
    connected: bool = True

    def status(self, daemons_running: bool) -> str:
        if not daemons_running or self.function == "None" or not self.enabled:
            return "NotRunning"
        return "Connected" if self.connected else "Unknown"

    def as_json(self, daemons_running: bool) -> dict[str, Any]:
        status = self.status(daemons_running)
        return {
            "Monitor": {
                "Id": _s(self.id), "Name": self.name, "Function": self.function,
                "Enabled": "1" if self.enabled else "0", "Type": self.type, "Width": _s(self.width),
                "Height": _s(self.height), "MaxFPS": f"{self.max_fps:.2f}", "ServerId": "0",
            },
            "Monitor_Status": {
                "MonitorId": _s(self.id), "Status": status,
                "CaptureFPS": f"{self.max_fps:.2f}" if status == "Connected" else "0.00",
                "AnalysisFPS": f"{self.max_fps:.2f}" if status == "Connected" else "0.00",
            },
        }


@dataclass
class SimEvent:
    id: int
    monitor_id: int
    cause: str
    start: dt.datetime
    end: dt.datetime | None = None
    max_score: int = 0
    notes: str = ""
    fps: float = 5.0
    video: bool = False  # recorded as an MP4 (Record / Mocord monitors) as well as JPEG frames

    def frame_count(self, now: dt.datetime) -> int:
        return max(1, round(self.length(now) * self.fps))

    def length(self, now: dt.datetime) -> float:
        return max(0.0, ((self.end or now) - self.start).total_seconds())

    def as_json(self, tz: dt.tzinfo, now: dt.datetime) -> dict[str, Any]:
        """As 1.36 shows it: while open, Length and Frames grow and the name is still "New Event"."""
        length = self.length(now)
        frames = self.frame_count(now)
        alarm_frames = max(1, frames // 2)
        tot = self.max_score * alarm_frames
        return {"Event": {
            "Id": _s(self.id), "MonitorId": _s(self.monitor_id), "StorageId": "0",
            "Name": f"Event {self.id}" if self.end else "New Event", "Cause": self.cause,
            "StartDateTime": self.start.astimezone(tz).strftime(LOCAL_FORMAT),
            "EndDateTime": self.end.astimezone(tz).strftime(LOCAL_FORMAT) if self.end else None,
            "Width": "640", "Height": "480", "Length": f"{length:.2f}",
            "Frames": _s(frames), "AlarmFrames": _s(alarm_frames), "TotScore": _s(tot),
            "AvgScore": _s(tot // alarm_frames if alarm_frames else 0), "MaxScore": _s(self.max_score),
            "Archived": "0", "Notes": self.notes,
            "DefaultVideo": f"{self.id}-video.mp4" if self.video else "", "SaveJPEGs": "3",
        }}


@dataclass
class SimRunState:
    id: int
    name: str
    definition: str
    active: bool = False


@dataclass
class Token:
    kind: str  # "access" | "refresh"
    user: str
    expires_at: dt.datetime


class ZoneMinderState:
    """The whole server state; ``now()`` is the injectable clock (real time plus an offset by default)."""

    def __init__(self, *, monitors: Iterable[SimMonitor], timezone: str, username: str, password: str,
                 access_token_lifetime: float, refresh_token_lifetime: float,
                 clock: Callable[[], dt.datetime] | None = None) -> None:
        self.lock = threading.RLock()
        self.tz = zoneinfo.ZoneInfo(timezone)
        self.timezone_name = timezone
        self.users = {username: password}
        self.access_token_lifetime = access_token_lifetime
        self.refresh_token_lifetime = refresh_token_lifetime
        self._base_clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.time_offset = dt.timedelta()
        self.monitors: dict[int, SimMonitor] = {m.id: m for m in monitors}
        self.events: list[SimEvent] = []  # ordered by id, so "Id >" filters bisect
        self._event_ids: list[int] = []
        self.events_by_id: dict[int, SimEvent] = {}
        self.open_by_monitor: dict[int, int] = {}
        self.uncommitted: set[int] = set()  # ids allocated whose row no API reader can see yet
        self.next_event_id = 1
        self.daemons_running = True
        self.tokens: dict[str, Token] = {}
        self.logins = 0
        self.refreshes = 0
        self.run_states = [
            SimRunState(1, "default", self._definition(), active=True),
            SimRunState(2, "Away", ",".join(f"{m.id}:Modect:1" for m in self.monitors.values())),
            SimRunState(3, "Home", ",".join(f"{m.id}:Monitor:1" for m in self.monitors.values())),
        ]

    # -- clock ---------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return self._base_clock() + self.time_offset

    def advance_time(self, seconds: float) -> None:
        """Move the server's clock forward (token expiry, event times) without waiting."""
        with self.lock:
            self.time_offset += dt.timedelta(seconds=seconds)

    def local(self, moment: dt.datetime) -> str:
        return moment.astimezone(self.tz).strftime(LOCAL_FORMAT)

    def parse_local(self, text: str) -> dt.datetime:
        return dt.datetime.strptime(text, LOCAL_FORMAT).replace(tzinfo=self.tz)

    # -- tokens --------------------------------------------------------------------------------
    def issue(self, kind: str, user: str, lifetime: float) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = Token(kind, user, self.now() + dt.timedelta(seconds=lifetime))
        return token

    def check_token(self, token: str | None, kind: str = "access") -> str | None:
        """None when the token is valid, else the 401 reason ZoneMinder gives."""
        if not token:
            return "Not Authenticated"
        with self.lock:
            found = self.tokens.get(token)
            if found is None or found.kind != kind:
                return "Invalid token"
            if found.expires_at <= self.now():
                return "Expired token"
        return None

    def revoke_tokens(self) -> None:
        """Forget every issued token (as a changed auth secret would): clients must log in again."""
        with self.lock:
            self.tokens.clear()

    # -- monitors and run states ---------------------------------------------------------------
    def _definition(self) -> str:
        return ",".join(f"{m.id}:{m.function}:{int(m.enabled)}" for m in self.monitors.values())

    def edit_monitor(self, monitor_id: int, function: str | None, enabled: bool | None) -> None:
        with self.lock:
            monitor = self.monitors[monitor_id]
            if function is not None:
                if function not in FUNCTIONS:
                    raise ValueError(f"Function must be one of {', '.join(FUNCTIONS)}")
                monitor.function = function
            if enabled is not None:
                monitor.enabled = enabled
            if monitor.function == "None" or not monitor.enabled:
                self._close_open(monitor_id)

    def change_state(self, name: str) -> None:
        with self.lock:
            if name == "stop":
                self.daemons_running = False
                for monitor_id in list(self.open_by_monitor):
                    self._close_open(monitor_id)
                return
            if name in ("start", "restart"):
                self.daemons_running = True
                return
            target = next((s for s in self.run_states if s.name == name), None)
            if target is None:
                raise KeyError(name)
            for state in self.run_states:
                state.active = state is target
            for part in target.definition.split(","):
                monitor_id, function, enabled = part.split(":")
                if int(monitor_id) in self.monitors:
                    self.edit_monitor(int(monitor_id), function, enabled == "1")
            self.daemons_running = True

    @property
    def active_state_name(self) -> str | None:
        return next((s.name for s in self.run_states if s.active), None)

    # -- events --------------------------------------------------------------------------------
    def start_event(self, monitor_id: int, at: dt.datetime | None = None, cause: str = "Motion",
                    score: int = 40, notes: str = "", *, visible: bool = True) -> int:
        """Open an event on a monitor (closing one still open there, as a new alarm would); return its id.

        ``visible=False`` models a writer whose INSERT has taken its auto-increment id but not yet
        committed: the row stays out of every API answer until ``commit_event`` (commit-order inversion).
        """
        with self.lock:
            if monitor_id not in self.monitors:
                raise KeyError(monitor_id)
            moment = at or self.now()
            self._close_open(monitor_id, moment)
            event = SimEvent(self.next_event_id, monitor_id, cause, moment, None, score,
                             notes or f"{cause}: zone All", self.monitors[monitor_id].max_fps,
                             video=self.monitors[monitor_id].function in ("Record", "Mocord"))
            self.next_event_id += 1
            self.events.append(event)
            self._event_ids.append(event.id)
            self.events_by_id[event.id] = event
            self.open_by_monitor[monitor_id] = event.id
            if not visible:
                self.uncommitted.add(event.id)
            return event.id

    def commit_event(self, event_id: int) -> None:
        """Make a row started with ``visible=False`` visible, after higher ids may already have been read."""
        with self.lock:
            if event_id not in self.events_by_id:
                raise KeyError(event_id)
            self.uncommitted.discard(event_id)

    def visible_event(self, event_id: int) -> SimEvent | None:
        """The event as ``events/<id>.json`` sees it: absent while uncommitted."""
        with self.lock:
            return None if event_id in self.uncommitted else self.events_by_id.get(event_id)

    def end_event(self, event_id: int, at: dt.datetime | None = None) -> None:
        with self.lock:
            event = self.events_by_id[event_id]
            if event.end is None:
                event.end = max(at or self.now(), event.start)
                if self.open_by_monitor.get(event.monitor_id) == event_id:
                    del self.open_by_monitor[event.monitor_id]

    def add_event(self, monitor_id: int, start: dt.datetime, end: dt.datetime, cause: str = "Motion",
                  score: int = 40, *, visible: bool = True) -> int:
        """A complete event (one that starts and ends between two polls); see ``start_event`` for ``visible``."""
        event_id = self.start_event(monitor_id, start, cause, score, visible=visible)
        self.end_event(event_id, end)
        return event_id

    def _close_open(self, monitor_id: int, at: dt.datetime | None = None) -> None:
        open_id = self.open_by_monitor.get(monitor_id)
        if open_id is not None:
            self.end_event(open_id, at)

    def seed_history(self, count: int, monitor_ids: list[int] | None = None) -> None:
        """Add ``count`` finished events in the past (history the client must not re-read every poll)."""
        ids = monitor_ids or sorted(self.monitors)
        with self.lock:
            base = self.now() - dt.timedelta(seconds=30 * count + 3600)
            for n in range(count):
                start = base + dt.timedelta(seconds=30 * n)
                self.add_event(ids[n % len(ids)], start, start + dt.timedelta(seconds=10))

    def alarm_status(self, monitor_id: int) -> int:
        with self.lock:
            return 2 if monitor_id in self.open_by_monitor else 0

    def query_events(self, filters: list[tuple[str, str, str]]) -> list[SimEvent]:
        """Apply ZoneMinder path filters (field, operator, value); ``Id >`` bisects the id-ordered list."""
        with self.lock:
            candidates = self.events
            for field_name, op, value in filters:
                if field_name == "Id" and op in (">", ">="):
                    bound = int(value)
                    index = (bisect.bisect_right if op == ">" else bisect.bisect_left)(self._event_ids, bound)
                    candidates = candidates[index:] if candidates is self.events else \
                        [e for e in candidates if e.id > bound or (op == ">=" and e.id == bound)]
            return [e for e in candidates if e.id not in self.uncommitted
                    and all(self._matches(e, f, o, v) for f, o, v in filters)]

    def _matches(self, event: SimEvent, field_name: str, op: str, value: str) -> bool:
        if field_name in ("StartDateTime", "EndDateTime"):
            moment = event.start if field_name == "StartDateTime" else event.end
            if value.upper() == "NULL":
                return (moment is None) == (op in ("=", "IS"))
            if moment is None:
                return False
            actual: Any = moment
            wanted: Any = self.parse_local(value)
        elif field_name in ("Id", "MonitorId", "MaxScore", "Frames"):
            attribute = {"Id": "id", "MonitorId": "monitor_id", "MaxScore": "max_score"}.get(field_name)
            actual = getattr(event, attribute) if attribute else 0
            if "," in value:
                return (actual in {int(v) for v in value.split(",")}) == (op != "!=")
            wanted = int(value)
        elif field_name == "Cause":
            actual, wanted = event.cause, value
        else:
            raise ValueError(f"unsupported filter field {field_name}")
        return _compare(actual, op, wanted)

    def snapshot(self) -> dict[str, Any]:
        """Counts for tests and benchmarks."""
        with self.lock:
            return {"events": len(self.events), "open": dict(self.open_by_monitor),
                    "uncommitted": sorted(self.uncommitted),
                    "logins": self.logins, "refreshes": self.refreshes}


def _compare(actual: Any, op: str, wanted: Any) -> bool:
    match op:
        case "=" | "IS":
            return actual == wanted
        case "!=":
            return actual != wanted
        case ">":
            return actual > wanted
        case ">=":
            return actual >= wanted
        case "<":
            return actual < wanted
        case "<=":
            return actual <= wanted
    raise ValueError(f"unsupported operator {op}")
