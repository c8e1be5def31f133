"""Caps on concurrent live camera streams, so a camera wall cannot swamp the camera server or the hub.

Each proxied live stream holds a slot from acquiring it until its upstream connection is closed. Three
limits, all in this process (the hub serves from one process): per camera (``HI_CAMERA_STREAMS_PER_CAMERA``,
default 2), in total (``HI_CAMERA_STREAMS_TOTAL``, default 8; both Django settings, parsed and checked
from the environment in ``hi.settings.base``), and a fair share per viewer (a browser
session or an API token): while several viewers stream, each may hold at most ``total // viewers`` slots
(at least one), so one wall open on a big screen cannot starve a phone. A request over a cap is refused;
the wall shows refreshed snapshots for that tile instead. Slots already held are never taken away.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

DEFAULT_TOTAL = 8
DEFAULT_PER_CAMERA = 2


@dataclass
class Lease:
    """One held slot; ``release`` is idempotent (every way a stream ends may call it)."""

    limiter: StreamLimiter
    camera: str
    viewer: str
    released: bool = False

    def release(self) -> None:
        self.limiter.release(self)


@dataclass
class StreamLimiter:
    total: int = DEFAULT_TOTAL
    per_camera: int = DEFAULT_PER_CAMERA
    _by_camera: Counter[str] = field(default_factory=Counter)
    _by_viewer: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls) -> StreamLimiter:
        """The caps Django's settings hold (validated at start, so they are whole numbers of 1 or more)."""
        return cls(int(settings.HI_CAMERA_STREAMS_TOTAL), int(settings.HI_CAMERA_STREAMS_PER_CAMERA))

    def fair_share(self, viewer: str) -> int:
        viewers = len(self._by_viewer) + (0 if viewer in self._by_viewer else 1)
        return max(1, self.total // max(1, viewers))

    def refusal(self, camera: str, viewer: str) -> str:
        """Why a new stream for ``camera`` would be refused now ("" if it would not)."""
        if sum(self._by_camera.values()) >= self.total:
            return f"all {self.total} live streams are in use"
        if self._by_camera[camera] >= self.per_camera:
            return f"this camera already has {self.per_camera} live streams"
        if self._by_viewer[viewer] >= self.fair_share(viewer):
            return "your share of the live streams is in use"
        return ""

    def acquire(self, camera: str, viewer: str) -> Lease | str:
        """A lease, or the reason there is none."""
        with self._lock:
            reason = self.refusal(camera, viewer)
            if reason:
                return reason
            self._by_camera[camera] += 1
            self._by_viewer[viewer] += 1
            return Lease(self, camera, viewer)

    def release(self, lease: Lease) -> None:
        with self._lock:
            if lease.released:
                return
            lease.released = True
            for counter, name in ((self._by_camera, lease.camera), (self._by_viewer, lease.viewer)):
                counter[name] -= 1
                if counter[name] <= 0:
                    del counter[name]

    def status(self) -> dict[str, Any]:
        with self._lock:
            return {"total": self.total, "per_camera": self.per_camera, "in_use": sum(self._by_camera.values()),
                    "by_camera": dict(self._by_camera), "viewers": len(self._by_viewer)}


_limiter: StreamLimiter | None = None
_limiter_lock = threading.Lock()


def get_limiter() -> StreamLimiter:
    global _limiter
    with _limiter_lock:
        if _limiter is None:
            _limiter = StreamLimiter.from_settings()
        return _limiter


def reset_limiter(limiter: StreamLimiter | None = None) -> StreamLimiter:
    """Replace the process's limiter (tests; changed settings)."""
    global _limiter
    with _limiter_lock:
        _limiter = limiter or StreamLimiter.from_settings()
        return _limiter


def viewer_of(request: Any) -> str:
    """Who is watching: the API token, else the browser session, else the client address."""
    token = getattr(request, "api_token", None)
    if token is not None:
        return f"token:{token.pk}"
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key:
        return f"session:{key}"
    return f"address:{request.META.get('REMOTE_ADDR', '')}"
