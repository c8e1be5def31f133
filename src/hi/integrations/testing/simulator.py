"""The toy system's server: a few devices behind a token-protected JSON API, for framework tests.

Tests change it from their own thread (``add_device``, ``remove_device``, ``set_value``) while
the aiohttp server answers on its loop; a lock keeps both views consistent.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any, ClassVar

from aiohttp import web

from hi.simulator.base import SimulatorBase

TOY_TOKEN = "toy-secret-token-4711"
KINDS: dict[str, dict[str, Any]] = {
    "light": {"initial": "off", "allowed": ("on", "off")},
    "dimmer": {"initial": 0, "min": 0, "max": 100},
    "motion": {"initial": "idle", "readonly": True},
    "thermometer": {"initial": 20.0, "readonly": True},
}
_DEMO = (("kitchen", "Kitchen light", "light"), ("hall", "Hall dimmer", "dimmer"),
         ("porch", "Porch motion", "motion"), ("garden", "Garden thermometer", "thermometer"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class ToySimulator(SimulatorBase):
    """``GET /api/devices``, ``GET|POST /api/devices/{id}``, ``GET /api/changes?since=N``, ``GET /api/ping``."""

    name: ClassVar[str] = "toy"
    profiles: ClassVar[tuple[str, ...]] = ("demo", "empty")

    def __init__(self, profile: str = "demo", host: str = "127.0.0.1", port: int = 0,
                 token: str = TOY_TOKEN) -> None:
        super().__init__(profile, host, port)
        self.token = token
        self.confirm_controls = True  # False: accept control requests but never report the change
        self._lock = threading.Lock()
        self.devices: dict[str, dict[str, Any]] = {}
        self.changes: list[dict[str, Any]] = []
        self.reset_state()

    # -- state (any thread) ---------------------------------------------------------------------
    def reset_state(self) -> None:
        with self._lock:
            self.devices = {}
            self.changes = []
        if self.profile == "demo":
            for device_id, name, kind in _DEMO:
                self.add_device(device_id, name, kind)

    def add_device(self, device_id: str, name: str, kind: str, value: Any = None, room: str = "") -> None:
        """``room`` is where the toy system says the device is ("Ground floor/Kitchen"; empty: it does not say)."""
        if kind not in KINDS:
            raise ValueError(f"unknown toy device kind {kind!r}")
        with self._lock:
            self.devices[device_id] = {"id": device_id, "name": name, "kind": kind,
                                       "value": KINDS[kind]["initial"] if value is None else value}
            if room:
                self.devices[device_id]["room"] = room

    def move_device(self, device_id: str, room: str) -> None:
        with self._lock:
            self.devices[device_id]["room"] = room

    def remove_device(self, device_id: str) -> None:
        with self._lock:
            self.devices.pop(device_id, None)

    def rename_device(self, device_id: str, name: str) -> None:
        with self._lock:
            self.devices[device_id]["name"] = name

    def set_value(self, device_id: str, value: Any) -> None:
        """An external change (someone pressed a switch): recorded for ``/api/changes``."""
        with self._lock:
            self.devices[device_id]["value"] = value
            self.changes.append({"seq": len(self.changes) + 1, "device": device_id, "value": value,
                                 "timestamp": _now()})

    def value_of(self, device_id: str) -> Any:
        with self._lock:
            return self.devices[device_id]["value"]

    # -- HTTP -----------------------------------------------------------------------------------
    def setup_routes(self, app: web.Application) -> None:
        app.router.add_get("/api/ping", self._ping)
        app.router.add_get("/api/devices", self._list)
        app.router.add_get("/api/devices/{device_id}", self._get)
        app.router.add_post("/api/devices/{device_id}", self._set)
        app.router.add_get("/api/changes", self._changes)

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization", "") == f"Bearer {self.token}"

    @staticmethod
    def _refused() -> web.Response:
        return web.json_response({"error": "invalid or missing token"}, status=401)

    async def _ping(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._refused()
        with self._lock:
            return web.json_response({"ok": True, "devices": len(self.devices)})

    async def _list(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._refused()
        with self._lock:
            return web.json_response({"devices": [dict(d) for d in self.devices.values()],
                                      "last_change": len(self.changes)})

    async def _get(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._refused()
        with self._lock:
            device = self.devices.get(request.match_info["device_id"])
            if device is None:
                return web.json_response({"error": "no such device"}, status=404)
            return web.json_response(dict(device))

    async def _set(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._refused()
        device_id = request.match_info["device_id"]
        try:
            body = await request.json()
            value = body["value"]
        except (ValueError, KeyError, TypeError):
            return web.json_response({"error": "body must be JSON with a value"}, status=400)
        with self._lock:
            device = self.devices.get(device_id)
            if device is None:
                return web.json_response({"error": "no such device"}, status=404)
            problem = self._problem(device["kind"], value)
        if problem:
            return web.json_response({"error": problem}, status=400)
        if self.confirm_controls:
            self.set_value(device_id, value)
        return web.json_response({"id": device_id, "accepted": value})

    @staticmethod
    def _problem(kind: str, value: Any) -> str:
        spec = KINDS[kind]
        if spec.get("readonly"):
            return f"a {kind} cannot be controlled"
        if "allowed" in spec and value not in spec["allowed"]:
            return f"value must be one of {', '.join(spec['allowed'])}"
        if "min" in spec and (not isinstance(value, int | float) or not spec["min"] <= value <= spec["max"]):
            return f"value must be a number from {spec['min']} to {spec['max']}"
        return ""

    async def _changes(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return self._refused()
        try:
            since = int(request.query.get("since", "0"))
        except ValueError:
            return web.json_response({"error": "since must be a number"}, status=400)
        with self._lock:
            return web.json_response({"changes": self.changes[since:], "last": len(self.changes)})
