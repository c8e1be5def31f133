"""Notifications through Apprise: channels, deliveries recorded and retried with backoff, a real send test.

A channel's URL is a secret (it carries passwords and tokens): it is written once, never rendered,
returned or logged — every failure reason is redacted against it before it is stored. Sending
happens off the pipeline and off web requests: ``deliver_due`` runs in the worker (``runner.py``),
each delivery on its own thread, so a dead channel costs its own timeout and delays nobody else.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import unquote, urlsplit

import apprise
from django.db import IntegrityError, transaction
from django.utils import timezone

from hi.apps.household.timezones import local_text
from hi.utils.redaction import redact, register_secret

from .enums import DeliveryStatus, Level, SecurityMode
from .models import Channel, Delivery
from .snapshots import attachment_for

logger = logging.getLogger(__name__)

BACKOFF_SECONDS = (2, 10, 60, 300, 900)  # after attempt 1, 2, …; then give up
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
SEND_TIMEOUT = 15.0
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="hi-notify")
# Apprise's own log lines can name hosts and URL parts; its messages reach us through ``log_callback``
# instead, and are stored and logged only after redaction.
logging.getLogger("apprise").propagate = False


class ChannelError(ValueError):
    """A channel that cannot be saved (bad name, a URL Apprise does not understand, a duplicate)."""


class ChannelNotFound(LookupError):
    pass


# -- secrets ------------------------------------------------------------------------------------
def register_url_secrets(url: str) -> None:
    """Teach the log redactor the URL and its secret-looking parts (password, long tokens)."""
    register_secret(url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    if parts.password and len(parts.password) >= 4:
        register_secret(unquote(parts.password))
    host = parts.netloc.rpartition("@")[2].split(":")[0]
    if len(host) >= 16 and "." not in host:  # a token in the host's place (tgram://<bot token>/…), not a name
        register_secret(unquote(host))
    for segment in [*parts.path.split("/"), *re.split(r"[&=]", parts.query)]:
        if len(segment) >= 16 and "@" not in segment and "." not in segment:  # tokens, not addresses
            register_secret(unquote(segment))


def _clean(text: str, url: str) -> str:
    """A failure reason safe to store and show: the URL and its secrets removed."""
    register_url_secrets(url)
    text = text.replace(url, "[channel url]")
    return redact(text)[:500]


# -- channels -----------------------------------------------------------------------------------
def channel_json(channel: Channel) -> dict[str, Any]:
    return channel.describe()


def list_channels() -> list[dict[str, Any]]:
    return [channel_json(c) for c in Channel.objects.all()]


def get_channel(name: str) -> Channel:
    channel = Channel.objects.filter(name=name).first()
    if channel is None:
        raise ChannelNotFound(f"no channel {name!r}")
    return channel


def add_channel(name: Any, url: Any, min_level: Any = Level.WARNING, modes: Any = None) -> dict[str, Any]:
    """Validate (name, URL Apprise understands, level, modes) and save; nothing is saved on error."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ChannelError("name: letters, digits, '.', '_' or '-', starting with a letter or digit (at most 100)")
    if not isinstance(url, str) or not url.strip():
        raise ChannelError("url: an Apprise URL is required (e.g. mailto://user:pass@example.com)")
    url = url.strip()
    register_url_secrets(url)
    if not apprise.Apprise().add(url):
        raise ChannelError("url: Apprise does not understand this URL (see the Apprise URL syntax)")
    min_level = min_level or Level.WARNING
    if min_level not in Level.values:
        raise ChannelError(f"level: must be one of {', '.join(Level.values)}, not {min_level!r}")
    modes = list(modes or [])
    if not all(m in SecurityMode.values for m in modes):
        raise ChannelError(f"modes: must be a list of {', '.join(SecurityMode.values)}")
    try:
        with transaction.atomic():
            channel = Channel.objects.create(name=name, url=url, min_level=min_level, modes=modes)
    except IntegrityError:
        raise ChannelError(f"name: a channel named {name!r} already exists") from None
    return channel_json(channel)


def remove_channel(name: str) -> None:
    deleted, _ = Channel.objects.filter(name=name).delete()
    if not deleted:
        raise ChannelNotFound(f"no channel {name!r}")


# -- sending ------------------------------------------------------------------------------------
def send(url: str, title: str, body: str, attachments: list[Any] | None = None) -> tuple[bool, str]:
    """One Apprise notification; returns (ok, redacted reason). Never raises."""
    register_url_secrets(url)
    sender = apprise.Apprise()
    if not sender.add(url):
        return False, "Apprise does not understand the channel URL"
    entries: list[str] = []
    try:
        result = sender.notify(body=body, title=title, attach=attachments or None, timeout=SEND_TIMEOUT,
                               log_callback=lambda entry, _plugin: entries.append(f"{entry.level}: {entry.message}"))
    except Exception as exc:  # a plugin bug must become a recorded failure, not a crashed sender
        return False, _clean(f"{type(exc).__name__}: {exc}", url)
    if result:
        return True, ""
    reasons = [e.split(": ", 1)[-1] for e in entries if not e.startswith(("DEBUG", "INFO"))] or [
        "the channel refused it"]
    return False, _clean("; ".join(reasons[-3:]), url)


def _attempt(delivery_id: int, now: dt.datetime) -> str:
    """Send one due delivery and record the outcome; returns its new status."""
    from django.db import close_old_connections

    close_old_connections()
    try:
        delivery = Delivery.objects.select_related("channel").get(pk=delivery_id)
        # a camera alert's snapshot, where the channel takes attachments (Apprise drops it where not)
        attachments = attachment_for(delivery.alert_id) if delivery.attachment.startswith("camera:") else None
        ok, reason = send(delivery.channel.url, delivery.title, delivery.body, attachments)
        delivery.attempts += 1
        finished = timezone.now()
        if ok:
            delivery.status, delivery.sent_at, delivery.error, delivery.next_attempt_at = (
                DeliveryStatus.SENT, finished, "", None)
        elif delivery.attempts >= MAX_ATTEMPTS or delivery.is_test:
            delivery.status, delivery.error, delivery.next_attempt_at = DeliveryStatus.FAILED, reason, None
        else:
            delivery.error = reason
            delivery.next_attempt_at = finished + dt.timedelta(seconds=BACKOFF_SECONDS[delivery.attempts - 1])
        delivery.save(update_fields=["status", "attempts", "error", "next_attempt_at", "sent_at"])
        if not ok:
            logger.warning("notification to channel %s failed (attempt %d): %s", delivery.channel.name,
                           delivery.attempts, reason)
        return delivery.status
    finally:
        close_old_connections()


def due_deliveries(now: dt.datetime | None = None, limit: int = 100) -> list[int]:
    now = now or timezone.now()
    return list(Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
                .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])


def deliver_due(now: dt.datetime | None = None) -> dict[str, int]:
    """Send every due delivery, each on its own thread; returns counts by resulting status."""
    now = now or timezone.now()
    ids = due_deliveries(now)
    counts: dict[str, int] = {}
    futures = [_pool.submit(_attempt, delivery_id, now) for delivery_id in ids]
    for future in futures:
        try:
            status = future.result()
        except Exception:
            logger.exception("a delivery attempt failed unexpectedly")
            status = "error"
        counts[status] = counts.get(status, 0) + 1
    return counts


def send_test(name: str, by: str = "") -> dict[str, Any]:
    """Send a test message now and report what really happened (also recorded as a delivery)."""
    channel = get_channel(name)
    now = timezone.now()
    delivery = Delivery.objects.create(channel=channel, title="hi: test notification",
                                       body=f"A test from hi{f' by {by}' if by else ''} at {local_text(now)}.",
                                       created_at=now, next_attempt_at=None, is_test=True)
    ok, reason = send(channel.url, delivery.title, delivery.body)
    delivery.attempts = 1
    delivery.status = DeliveryStatus.SENT if ok else DeliveryStatus.FAILED
    delivery.error = reason
    delivery.sent_at = timezone.now() if ok else None
    delivery.save(update_fields=["attempts", "status", "error", "sent_at"])
    return {"channel": channel.name, "ok": ok, "status": delivery.status, "error": reason or None}
