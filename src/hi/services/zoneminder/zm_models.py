"""Typed shapes of the ZoneMinder 1.36 API payloads (no Django): every number arrives as a string.

Pydantic's lax mode turns ``"12"`` into 12 and ``"1"`` into True; empty strings in optional
numeric fields become None so a half-filled monitor row does not reject the whole listing.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _blank_to_none(value: Any) -> Any:
    """ZoneMinder sends "" (and sometimes "0000-00-00 00:00:00") where it means 'no value'."""
    if isinstance(value, str) and (not value.strip() or value.startswith("0000-00-00")):
        return None
    return value


OptInt = Annotated[int | None, BeforeValidator(_blank_to_none)]
OptFloat = Annotated[float | None, BeforeValidator(_blank_to_none)]
OptDateTime = Annotated[dt.datetime | None, BeforeValidator(_blank_to_none)]


class MonitorFunction(StrEnum):
    """What a monitor does with its frames (1.36 names)."""

    NONE = "None"
    MONITOR = "Monitor"
    MODECT = "Modect"
    RECORD = "Record"
    MOCORD = "Mocord"
    NODECT = "Nodect"


MONITOR_FUNCTIONS: tuple[str, ...] = tuple(f.value for f in MonitorFunction)


class ZmModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class LoginResult(ZmModel):
    access_token: str = Field(min_length=1)
    access_token_expires: int = 7200
    refresh_token: str | None = None
    refresh_token_expires: int | None = None
    version: str | None = None
    apiversion: str | None = None


class VersionInfo(ZmModel):
    version: str
    apiversion: str | None = None


class DaemonCheck(ZmModel):
    result: int


class TimeZoneInfo(ZmModel):
    tz: str


class Monitor(ZmModel):
    Id: int
    Name: str
    Function: MonitorFunction
    Enabled: bool = True
    Type: str = ""
    Width: OptInt = None
    Height: OptInt = None
    MaxFPS: OptFloat = None


class MonitorStatus(ZmModel):
    Status: str | None = None
    CaptureFPS: OptFloat = None
    AnalysisFPS: OptFloat = None

    @property
    def connected(self) -> bool:
        return self.Status == "Connected"


class MonitorEntry(ZmModel):
    Monitor: Monitor
    Monitor_Status: MonitorStatus | None = None


class MonitorsPage(ZmModel):
    monitors: list[MonitorEntry]


class ZmEvent(ZmModel):
    """One event; times are the server's local wall-clock time without an offset."""

    Id: int
    MonitorId: int
    Name: str = ""
    Cause: str = ""
    StartDateTime: dt.datetime
    EndDateTime: OptDateTime = None
    Length: OptFloat = None
    Frames: OptInt = None
    AlarmFrames: OptInt = None
    TotScore: OptInt = None
    AvgScore: OptInt = None
    MaxScore: OptInt = None
    Notes: str | None = None
    DefaultVideo: str | None = None  # the event's video file name ("" when frames were stored as JPEGs only)

    @property
    def is_open(self) -> bool:
        return self.EndDateTime is None


class EventEntry(ZmModel):
    Event: ZmEvent


class Pagination(ZmModel):
    page: int = 1
    pageCount: int = 1
    count: int = 0
    nextPage: bool = False
    limit: OptInt = None


class EventsPage(ZmModel):
    """Entries stay raw here: one malformed event is skipped on its own, never the whole page."""

    events: list[dict[str, Any]]
    pagination: Pagination = Pagination()


class SingleEvent(ZmModel):
    event: EventEntry


class RunState(ZmModel):
    Id: int
    Name: str
    Definition: str = ""
    IsActive: bool = False


class RunStateEntry(ZmModel):
    State: RunState


class RunStates(ZmModel):
    states: list[RunStateEntry]


class AlarmStatus(ZmModel):
    """``status`` is a number for the ``status`` command, zmu's text for ``on``/``off`` (as 1.36 answers)."""

    status: int | str
    output: Any = None
