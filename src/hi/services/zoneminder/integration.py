"""The ZoneMinder gateway: configuration, connection test, and the sync / monitor / control parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from hi.integrations.attributes import AttributeSpec
from hi.integrations.client.breaker import get_breaker
from hi.integrations.client.http import Timeouts
from hi.integrations.client.metrics import get_metrics
from hi.integrations.enums import AttributeType, HealthStatus
from hi.integrations.exceptions import AuthenticationError, IntegrationError
from hi.integrations.integration_gateway import (
    ConnectionTestResult,
    EntityRef,
    EventMedia,
    EventRef,
    HealthReport,
    IntegrationGateway,
    IntegrationSynchronizer,
    MediaUrls,
    Picture,
)
from hi.utils.redaction import redact, register_secret

from .zm_client import ZoneMinderClient
from .zm_converter import INTEGRATION_ID, event_base_path, monitor_id_from_key, snapshot_path, stream_path
from .zm_settings import settings_from

if TYPE_CHECKING:
    from hi.integrations.controller import IntegrationController
    from hi.integrations.models import Integration
    from hi.integrations.monitor import IntegrationMonitor

EVENT_HISTORY_NOTE = ("events from before the first poll against a server are not imported (only those "
                      "still open then); from then on every event is read, including while the worker was stopped")


class ZoneMinderGateway(IntegrationGateway):
    integration_id = INTEGRATION_ID
    label = "ZoneMinder"
    expected_cycle_seconds = 10.0  # polls every 2 s; a few missed polls are not yet stale
    description = ("Cameras, motion events with durations, camera functions and run states from ZoneMinder 1.36. "
                   "Past events are not imported: events are read from the first poll on (plus any still open then).")
    attribute_specs = (
        AttributeSpec("api_url", "API address", AttributeType.URL, help_text="e.g. http://zm.local/zm/api"),
        AttributeSpec("portal_url", "Portal address", AttributeType.URL,
                      help_text="e.g. http://zm.local/zm (streams and snapshots come from here)"),
        AttributeSpec("username", "User name", help_text="a ZoneMinder user with API access"),
        AttributeSpec("password", "Password", AttributeType.SECRET),
        AttributeSpec("timezone", "Server time zone", AttributeType.TIMEZONE, required=False,
                      help_text="ZoneMinder reports local times; empty: ask the server"),
    )

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        register_secret(attributes.get("password"))
        try:
            with ZoneMinderClient(settings_from(attributes), timeouts=Timeouts(connect=timeout, read=timeout),
                                  use_breaker=False) as client:
                version = client.version()
                monitors = client.monitors().monitors
                running = client.daemon_check().result == 1
        except AuthenticationError:
            return ConnectionTestResult(False, "ZoneMinder refused the user name or password "
                                               "(the user also needs API access: APIEnabled)")
        except IntegrationError as exc:
            return ConnectionTestResult(False, redact(exc.message))
        state = "running" if running else "stopped"
        return ConnectionTestResult(True, f"ZoneMinder {version.version} ({state}), {len(monitors)} monitors",
                                    {"version": version.version, "monitors": len(monitors), "running": running})

    def get_synchronizer(self) -> IntegrationSynchronizer:
        from .zm_sync import ZoneMinderSynchronizer

        return ZoneMinderSynchronizer()

    def get_monitor(self, integration: Integration) -> IntegrationMonitor:
        from .monitors import ZoneMinderMonitor

        return ZoneMinderMonitor()

    def get_controller(self) -> IntegrationController:
        from .zm_controller import ZoneMinderController

        return ZoneMinderController()

    def health(self) -> HealthReport:
        breaker = get_breaker(self.integration_id).snapshot()
        details = {"breaker": breaker, "metrics": get_metrics(self.integration_id).snapshot(),
                   "event_history": EVENT_HISTORY_NOTE}
        return HealthReport(HealthStatus.UNKNOWN, "", details)  # the monitor records the status itself

    @staticmethod
    def _monitor_id(entity: EntityRef) -> int | None:
        payload = entity.integration_payload if isinstance(entity.integration_payload, dict) else {}
        monitor_id = payload.get("monitor_id")
        return monitor_id if isinstance(monitor_id, int) else monitor_id_from_key(entity.integration_name or "")

    def media_urls(self, entity: EntityRef) -> MediaUrls:
        """A camera's snapshot and live stream through our authenticated proxy (``views.py``)."""
        monitor_id = self._monitor_id(entity)
        if monitor_id is None:
            return MediaUrls()
        return MediaUrls(picture=snapshot_path(monitor_id), stream=stream_path(monitor_id))

    def event_media(self, entity: EntityRef, event: EventRef) -> EventMedia | None:
        """A camera event's thumbnail and playback through the proxy; no network (pages list many events)."""
        return event_media_for(self._monitor_id(entity), event)

    async def fetch_picture(self, entity: EntityRef) -> Picture | None:
        """The monitor's current frame from ``nph-zms``, fetched and checked here with the token (an alert's snapshot)."""
        from .thumbnails import picture_now

        monitor_id = self._monitor_id(entity)
        return await picture_now(monitor_id) if monitor_id is not None else None

    async def fetch_event_thumbnail(self, entity: EntityRef, event: EventRef) -> Picture | None:
        """The event's snapshot frame (disk-cached), else the camera's picture now; for alarm notifications."""
        from .thumbnails import event_picture

        monitor_id = self._monitor_id(entity)
        return await event_picture(monitor_id, event) if monitor_id is not None else None


def event_media_for(monitor_id: int | None, event: EventRef) -> EventMedia | None:
    """Media of one ZoneMinder event from what we recorded: video if ZoneMinder stored one, else its frames;
    an event still recording shows the live picture (its thumbnail is the latest snapshot frame so far)."""
    details = event.details if isinstance(event.details, dict) else {}
    event_id = details.get("event_id")
    if monitor_id is None or not isinstance(event_id, int):
        return None
    base = event_base_path(monitor_id, event_id)
    thumbnail = f"{base}/thumbnail.jpg"
    if event.end is None:
        return EventMedia(thumbnail=thumbnail, playback=stream_path(monitor_id), playback_type="live")
    if details.get("video"):
        return EventMedia(thumbnail=thumbnail, playback=f"{base}/video.mp4", playback_type="video",
                          download=f"{base}/video.mp4?download=1")
    frames = details.get("frames")
    length = details.get("length")
    if not isinstance(frames, int) or frames < 1:
        return EventMedia(thumbnail=thumbnail)
    fps = frames / length if isinstance(length, int | float) and length > 0 else 1.0
    return EventMedia(thumbnail=thumbnail, playback=f"{base}/frames/{{frame}}.jpg", playback_type="frames",
                      frame_count=frames, fps=round(min(max(fps, 0.1), 60.0), 3))
