"""The contract every integration implements: lifecycle, configuration, and its working parts."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypedDict

from hi.utils.singleton import Singleton

from .attributes import AttributeSpec, clean_attributes
from .enums import HealthStatus

if TYPE_CHECKING:
    from django.http import HttpRequest

    from hi.integrations.controller import IntegrationController
    from hi.integrations.monitor import IntegrationMonitor

    from .models import Integration
    from .sync.inventory import Inventory


class ManageResult(TypedDict, total=False):
    """What ``activate``, ``deactivate`` and ``manage`` return, as the seeds define it."""

    status: str  # 'success' | 'error'
    message: str
    redirect: str | None


def success(message: str, redirect: str | None = None) -> ManageResult:
    return {"status": "success", "message": message, "redirect": redirect}


def failure(message: str, redirect: str | None = None) -> ManageResult:
    return {"status": "error", "message": message, "redirect": redirect}


@dataclass(frozen=True)
class ConnectionTestResult:
    ok: bool
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class HealthReport:
    status: HealthStatus
    message: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class EntityRef(Protocol):
    """What a gateway's presentation hooks may read of an entity it owns (the Entity row has all of it);
    the payload is the integration's own, so only its gateway interprets it."""

    integration_id: str | None
    integration_name: str | None
    integration_payload: Any


@dataclass(frozen=True)
class MediaUrls:
    """Same-origin paths a page may embed for an entity (a camera's snapshot and live stream);
    never a device's own address or a credential — the integration proxies them."""

    picture: str = ""
    stream: str = ""


class EventRef(Protocol):
    """What a gateway's event hooks may read of an Event: its integration's own details and whether it is open."""

    details: Any
    end: Any


@dataclass(frozen=True)
class EventMedia:
    """A recorded event's proxied, same-origin media (``""``: the source has none).

    ``playback_type``: ``video`` (an MP4 clip), ``frames`` (JPEG frames ``playback`` formats with
    ``{frame}``, numbered 1..``frame_count`` at ``fps``), or ``live`` (still recording: ``playback`` is the
    camera's live stream). ``download`` is a link for saving the recording (the clip), if any.
    """

    thumbnail: str = ""
    playback: str = ""
    playback_type: str = ""
    frame_count: int = 0
    fps: float = 0.0
    download: str = ""

    def as_json(self) -> dict[str, Any]:
        """The stable ``media`` object of the event JSON (API and ``hi events list --json``)."""
        return {"thumbnail": self.thumbnail or None, "playback": self.playback or None,
                "playback_type": self.playback_type or None}


@dataclass(frozen=True)
class ChartLine:
    """One line of a chart: a field of each point; units given, or those of the state ``units_of``."""

    field: str
    label: str
    units: str = ""
    units_of: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart drawn from a state whose value is a list of points (a forecast)."""

    name: str
    state_key: str
    time_field: str
    lines: tuple[ChartLine, ...]


@dataclass(frozen=True)
class Picture:
    """A camera's still picture fetched by the hub itself (an alert's snapshot, an email's attachment):
    only the bytes travel, never the device's address or a credential."""

    content: bytes
    content_type: str = "image/jpeg"
    source: str = ""  # how it was got, for the record ("zoneminder live snapshot")


@dataclass(frozen=True)
class Presentation:
    """How a page shows an entity's states; every key is the integration's own, declared once by it.

    ``current``: states shown as current readings, in order. ``provenance``: a state whose value maps
    state keys to ``{source, observed_at, stale}``. ``freshness``: a state summarising data age.
    ``alerts``: a state whose open Events are alerts. ``periods``: a state whose list of points is shown
    as short labelled summaries (``period_label`` and ``period_text`` name their fields).
    """

    current: tuple[str, ...] = ()
    provenance: str = ""
    freshness: str = ""
    alerts: str = ""
    charts: tuple[Chart, ...] = ()
    periods: str = ""
    period_label: str = ""
    period_text: str = ""


class IntegrationSynchronizer(abc.ABC):
    """Describes what the external system has; the sync engine does the rest."""

    @abc.abstractmethod
    def fetch_inventory(self, attributes: Mapping[str, str]) -> Inventory:
        """Return the external system's current inventory; raise an IntegrationError on failure."""


class IntegrationGateway(Singleton, abc.ABC):
    """Base of every integration's gateway; one instance per integration (a singleton)."""

    integration_id: ClassVar[str]
    label: ClassVar[str]
    description: ClassVar[str] = ""
    attribute_specs: ClassVar[Sequence[AttributeSpec]] = ()
    # How often a running integration confirms its values (a poll, a heartbeat): states unconfirmed for
    # about twice this are shown as stale (hi.apps.entity.availability).
    expected_cycle_seconds: ClassVar[float] = 60.0

    # -- configuration -------------------------------------------------------------------------
    def validate_configuration(self, attributes: Mapping[str, str | None],
                               existing: Mapping[str, str] | None = None) -> dict[str, str]:
        """Check types and required values without any network; return cleaned values."""
        return clean_attributes(self.attribute_specs, attributes, existing)

    @abc.abstractmethod
    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        """Reach the external system with the given settings within ``timeout`` seconds."""

    # -- lifecycle (the seeds' three) ----------------------------------------------------------
    def activate(self, integration: Integration) -> ManageResult:
        """Called when the integration starts running; subclasses open resources here."""
        return success(f"{self.label} is active.")

    def deactivate(self, integration: Integration) -> ManageResult:
        """Called when the integration stops; subclasses close connections here."""
        return success(f"{self.label} is stopped.")

    def manage(self, request: HttpRequest, integration: Integration) -> ManageResult:
        """Handle the integration's management actions; the default has none of its own."""
        return success(f"{self.label} has no extra management actions.")

    # -- working parts -------------------------------------------------------------------------
    def get_synchronizer(self) -> IntegrationSynchronizer | None:
        return None

    def get_monitor(self, integration: Integration) -> IntegrationMonitor | None:
        return None

    def get_controller(self) -> IntegrationController | None:
        return None

    def handle_webhook(self, hook_id: str, payload: Any, headers: Mapping[str, str]) -> dict[str, Any] | None:
        """Handle an authenticated inbound webhook (``hi.integrations.webhooks``); runs in a transaction.

        Raise ``DataValidationError`` for a payload that does not fit (→ 400). The default has no
        webhooks, so the endpoint answers 404.
        """
        raise NotImplementedError

    def health(self) -> HealthReport:
        """Live details beyond what is stored (breaker state, metrics); default: nothing extra.

        Only ``details`` are shown: they describe the calling process. Status and message come from
        what the monitor recorded, so the CLI, the API and the pages never disagree.
        """
        return HealthReport(status=HealthStatus.UNKNOWN)

    # -- presentation (what pages may show without knowing the integration's payloads) ---------
    def media_urls(self, entity: EntityRef) -> MediaUrls:
        """Picture and stream paths for an entity of this integration; default: none."""
        return MediaUrls()

    async def fetch_picture(self, entity: EntityRef) -> Picture | None:
        """The camera's current still picture, fetched server-side (for an alert's snapshot); default: none.

        Raise an ``IntegrationError`` when the camera cannot be reached; return None when the entity
        has no picture."""
        return None

    def event_media(self, entity: EntityRef, event: EventRef) -> EventMedia | None:
        """Thumbnail and playback paths for an event of this integration's entity (no network); default: none."""
        return None

    async def fetch_event_thumbnail(self, entity: EntityRef, event: EventRef) -> Picture | None:
        """The recorded event's thumbnail as checked bytes (a notification's attachment), from the disk cache
        when there; raise an ``IntegrationError`` when the source cannot be reached. Default: none."""
        return None

    def control_needs_code(self, controller: EntityRef) -> bool:
        """Whether sending a value to this controller takes a code a person types (an alarm panel's)."""
        return False

    def presentation(self, entity: EntityRef) -> Presentation | None:
        """How to lay out an entity's states on its page (e.g. a weather station); default: no layout."""
        return None
