"""Camera snapshots for alerts: taken once, server-side, kept with the alert, attached to notifications.

When an alert involving a camera opens, the camera's picture is fetched through its integration's
gateway — the thumbnail of the camera event the alert records (``fetch_event_thumbnail``), else (no
event, or no thumbnail for it) the picture now (``fetch_picture``); the integration talks to the device
with its own credentials and only checked bytes come back — on a small thread pool after the commit, so
neither the pipeline nor a web request waits for a camera. The notifier asks for the same snapshot
before it sends a delivery that wants one (``capture`` is idempotent and serialised per alert), so
an email carries the picture even when it is sent before the first capture finished. The page
shows it from ``/alerts/<id>/snapshot`` (login required); no device address or token is ever in it.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import async_to_sync
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from hi.apps.event.models import Event
from hi.utils.redaction import redact

from .models import Alert, AlertSnapshot

logger = logging.getLogger(__name__)

FETCH_TIMEOUT = 10.0  # seconds a camera may take; a notification waits at most this long for its picture
MAX_BYTES = 5 * 1024 * 1024
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hi-alarm-snapshot")
_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()
_pending: set[futures.Future[None]] = set()


def snapshot_path(alert_id: int) -> str:
    """The same-origin path an alert's page and JSON give for its snapshot."""
    return f"/alerts/{alert_id}/snapshot"


def _lock(alert_id: int) -> threading.Lock:
    with _locks_guard:
        if len(_locks) > 1000:  # forget old alerts' locks (only concurrent captures of one alert need one)
            _locks.clear()
        return _locks.setdefault(alert_id, threading.Lock())


async def _fetch(gateway: Any, camera: Any, event: Event | None) -> Any:
    """The event's own thumbnail when the alert has a camera event (the moment that fired), else the picture now.

    An integration that records no event thumbnails (Home Assistant's ``camera.*`` has none) answers
    None for the event: its picture now is then the best there is."""

    async def fetching() -> Any:
        picture = await gateway.fetch_event_thumbnail(camera, event) if event is not None else None
        return picture if picture is not None else await gateway.fetch_picture(camera)

    async with asyncio.timeout(FETCH_TIMEOUT):
        return await fetching()


def capture(alert_id: int) -> AlertSnapshot | None:
    """The alert's snapshot: the stored one, else fetched from its camera now and stored (None if none)."""
    from hi.integrations import integration_factory

    stored = AlertSnapshot.objects.filter(alert_id=alert_id).first()
    if stored is not None:
        return stored
    with _lock(alert_id):
        stored = AlertSnapshot.objects.filter(alert_id=alert_id).first()
        if stored is not None:
            return stored
        alert = Alert.objects.select_related("camera_entity").filter(pk=alert_id).first()
        camera = alert.camera_entity if alert is not None else None
        if camera is None or camera.integration_id not in integration_factory.available_integration_ids():
            return None
        event = (Event.objects.filter(pk__in=alert.event_ids, entity_id=camera.pk).order_by("-start", "-id").first()
                 if alert.event_ids else None)
        try:
            picture = async_to_sync(_fetch)(integration_factory.get_gateway(camera.integration_id), camera, event)
        except Exception as exc:  # a camera that is down costs the attachment, never the notification
            logger.warning("no snapshot of %s for alert %s: %s", camera.name, alert_id,
                           redact(f"{type(exc).__name__}: {exc}"))
            return None
        if picture is None or not picture.content:
            return None
        if not picture.content_type.startswith("image/") or len(picture.content) > MAX_BYTES:
            logger.warning("snapshot of %s refused: %s, %d bytes", camera.name, picture.content_type[:40],
                           len(picture.content))
            return None
        try:
            with transaction.atomic():
                return AlertSnapshot.objects.create(alert_id=alert_id, camera=camera, data=picture.content,
                                                    content_type=picture.content_type[:100],
                                                    taken_at=timezone.now(), source=picture.source[:100])
        except IntegrityError:  # another process stored one meanwhile
            return AlertSnapshot.objects.filter(alert_id=alert_id).first()


def _capture_in_background(alert_id: int) -> None:
    close_old_connections()
    try:
        capture(alert_id)
    except Exception:
        logger.exception("capturing the snapshot of alert %s failed", alert_id)
    finally:
        close_old_connections()


def _submit(alert_id: int) -> None:
    future = _executor.submit(_capture_in_background, alert_id)
    with _locks_guard:
        _pending.add(future)
    future.add_done_callback(_pending.discard)


def capture_after_commit(alert_ids: list[int]) -> None:
    """Called inside the firing's transaction: take the new camera alerts' snapshots once it commits."""
    for alert_id in alert_ids:
        transaction.on_commit(functools.partial(_submit, alert_id))


def wait_for_captures(timeout: float = FETCH_TIMEOUT + 5) -> bool:
    """Wait until the background captures queued so far are done (tests, and a worker that stops)."""
    with _locks_guard:
        pending = set(_pending)
    _done, not_done = futures.wait(pending, timeout=timeout)
    return not not_done


def attachment_for(alert_id: int | None) -> list[Any]:
    """Apprise attachments for a delivery that wants its alert's snapshot (empty when there is none)."""
    from apprise.attachment.memory import AttachMemory

    snapshot = capture(alert_id) if alert_id is not None else None
    if snapshot is None:
        return []
    extension = "png" if snapshot.content_type == "image/png" else "jpg"
    return [AttachMemory(content=bytes(snapshot.data), name=f"alert-{alert_id}-snapshot.{extension}",
                         mimetype=snapshot.content_type)]
