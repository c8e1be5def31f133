"""A Home Assistant core simulator: the REST API, the WebSocket API and a small control surface for tests.

Faithful to PROTOCOLS.md: bearer auth (401 in plain text, like aiohttp in HA), ``{"message"}`` error
bodies, service calls that change states and return them, ``state_changed`` events on every change.
Tests drive it through the Python API (``set_state``, ``add_entity``, ``remove_entity``,
``revoke_token``, ``stall``, ``drop_connections``, ``restart``) or the ``/_sim/hass/...`` endpoints.

This module holds the simulator's state, its Python API and the REST API; beside it: ``websocket`` (one
WebSocket connection), ``cameras`` and ``images`` (the picture proxies), ``onboarding`` (owner and token),
``control`` (the ``/_sim/hass`` endpoints), ``responses`` (what every route shares).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import random
from collections import deque
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from aiohttp import web

from ..base import SimulatorBase
from .cameras import camera_picture, camera_stream
from .control import add_control_routes
from .forecasts import ForecastBook, get_forecasts
from .images import image_proxy
from .onboarding import auth_token, onboard_user
from .responses import is_authorized, json_response, read_body, unauthorized
from .services import ServiceError, describe_services, service_handler, target_entity_ids
from .store import SimState, StateStore, new_context
from .websocket import HassConnection

DEFAULT_TOKEN = "hass-simulator-token"
HA_VERSION = "2026.11.0"
T = TypeVar("T")


def _parse_time(text: str) -> dt.datetime | None:
    """An ISO-8601 time as the recorder's API takes it (naive means UTC); None when unreadable."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class HassSimulator(SimulatorBase):
    """Profiles: ``demo`` (about 45 entities over every mapped domain) and ``scale`` (5,000 entities)."""

    name: ClassVar[str] = "hass"
    profiles: ClassVar[tuple[str, ...]] = ("demo", "scale")

    def __init__(self, profile: str = "demo", host: str = "127.0.0.1", port: int = 0,
                 token: str = DEFAULT_TOKEN, activity: bool = True) -> None:
        super().__init__(profile, host, port)
        self.activity = activity and profile == "demo"
        self._activity_task: asyncio.Task[None] | None = None
        self.ha_version = HA_VERSION
        self.temperature_unit = "°C"  # the unit system's; "°F" for a Fahrenheit home
        self.tokens: set[str] = {token}
        self.token = token
        self.store = StateStore(profile)
        self.forecasts = ForecastBook()
        self.forecasts.listeners.append(self._on_forecast_changed)
        self.store.listeners.append(self._on_state_changed)
        self.store.registry.listeners.append(self._on_registry_changed)
        self.connections: set[HassConnection] = set()
        self._stall: asyncio.Event | None = None
        self.websocket_available = True
        self.onboarded = False
        self.auth_codes: set[str] = set()  # onboarding's one-time codes
        self.camera_frames, self.last_camera_picture = 0, b""  # the JPEG /api/camera_proxy served last
        self.camera_answer: tuple[str, bytes] | None = None  # (type, body) answered instead: a hostile server
        self.image_requests, self.image_content_type = 0, "image/jpeg"
        self.service_calls: deque[tuple[str, str, dict[str, Any]]] = deque(maxlen=100)  # what tests check

    # -- lifecycle: the demo home has a little life in it unless ``activity=False`` (tests) --------
    async def start(self) -> None:
        await super().start()
        if self.activity:
            self._activity_task = asyncio.get_running_loop().create_task(self._live_a_little())

    async def stop(self) -> None:
        if self._activity_task is not None:
            self._activity_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._activity_task
            self._activity_task = None
        await super().stop()

    async def _live_a_little(self) -> None:
        """Motion comes and goes in the kitchen, the outside temperature and house power drift, and about
        every five minutes the basement leak sensor gets wet for 20 s (the demo's alarm)."""
        rng = random.Random(4)
        tick = 0
        while True:
            await asyncio.sleep(5)
            tick += 1
            motion = self.store.get("binary_sensor.kitchen_motion")
            if motion is not None and (tick % 3 == 0 or motion.state == "on"):
                self.store.set(motion.entity_id, "off" if motion.state == "on" else "on")
            leak = self.store.get("binary_sensor.basement_leak")
            if leak is not None and tick % 60 in (12, 16):
                self.store.set(leak.entity_id, "on" if tick % 60 == 12 else "off")
            for entity_id, step in (("sensor.outside_temperature", 0.1), ("sensor.house_power", 15.0)):
                current = self.store.get(entity_id)
                if current is not None:
                    with contextlib.suppress(ValueError):
                        value = float(current.state) + rng.choice((-step, step))
                        self.store.set(entity_id, f"{value:.1f}")

    # -- state kept on the simulator -----------------------------------------------------------
    def reset_state(self) -> None:
        self.store.reset()
        self.websocket_available = True
        self.release_stall()

    def config(self) -> dict[str, Any]:
        return {"location_name": "Simulated Home", "latitude": 52.37, "longitude": 4.89, "elevation": 3,
                "unit_system": {"length": "km", "mass": "g", "temperature": self.temperature_unit, "volume": "L",
                                "pressure": "Pa", "wind_speed": "m/s", "accumulated_precipitation": "mm"},
                "time_zone": "Europe/Amsterdam", "version": self.ha_version, "state": "RUNNING",
                "components": sorted({eid.split(".")[0] for eid in self.store.states} | {"api", "websocket_api"})}

    def render_state(self, state: SimState) -> dict[str, Any]:
        """A state as the API sends it."""
        return state.as_dict()

    # -- the Python API for tests (callable from any thread) -----------------------------------
    def _on_loop(self, fn: Callable[[], T]) -> T:
        """Run ``fn`` on the simulator's loop (directly when already there) and return its result."""
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self._loop is None or running is self._loop:
            return fn()

        async def call() -> T:
            return fn()

        return self.run_coroutine(call())

    def set_state(self, entity_id: str, state: str, attributes: dict[str, Any] | None = None,
                  *, merge: bool = True) -> dict[str, Any] | None:
        """Change (or add) an entity and fire ``state_changed``; ``merge`` keeps attributes not given."""
        def change() -> dict[str, Any] | None:
            old = self.store.get(entity_id)
            attrs = {**(old.attributes if old and merge else {}), **(attributes or {})}
            new = self.store.set(entity_id, state, attrs)
            return new.as_dict() if new else None

        return self._on_loop(change)

    def add_entity(self, entity_id: str, state: str, attributes: dict[str, Any] | None = None) -> None:
        self.set_state(entity_id, state, attributes, merge=False)

    def remove_entity(self, entity_id: str) -> bool:
        return self._on_loop(lambda: self.store.remove(entity_id))

    def state_of(self, entity_id: str) -> dict[str, Any] | None:
        state = self.store.get(entity_id)
        return state.as_dict() if state else None

    def revoke_token(self, token: str | None = None) -> None:
        """Invalidate a token (default: the configured one) and close the sockets that used it."""
        token = token or self.token

        def revoke() -> None:
            self.tokens.discard(token)
            for connection in list(self.connections):
                if connection.token == token:
                    asyncio.get_running_loop().create_task(connection.ws.close())

        self._on_loop(revoke)

    def stall(self) -> None:
        """Stop sending on every socket (TCP stays open) until ``release_stall``: a hung server."""
        def begin() -> None:
            if self._stall is None:
                self._stall = asyncio.Event()

        self._on_loop(begin)

    def release_stall(self) -> None:
        def end() -> None:
            if self._stall is not None:
                self._stall.set()
                self._stall = None

        if self._loop is None:
            self._stall = None
            return
        self._on_loop(end)

    async def stalled_until_released(self) -> None:
        if self._stall is not None:
            await self._stall.wait()

    def restart(self, downtime: float = 0.2) -> None:
        """Simulate a restart: sockets die without a close frame, the port refuses for ``downtime`` s."""
        async def bounce() -> None:
            await self.stop_listening()
            self.connections.clear()
            await asyncio.sleep(downtime)
            await self.resume_listening()

        self.run_coroutine(bounce(), timeout=downtime + 10)

    def integration_attributes(self) -> dict[str, str]:
        """The ``hass`` settings that point at this simulator."""
        return {"base_url": self.url, "api_token": self.token}

    # -- fault harness hooks -------------------------------------------------------------------
    def unauthorized_response(self, request: web.Request) -> web.StreamResponse:
        return unauthorized()

    def apply_schema_drift(self, payload: Any, params: dict[str, Any]) -> Any:
        """Named renames/removals when given; otherwise what a breaking release might do to a state."""
        if params.get("rename") or params.get("remove"):
            return super().apply_schema_drift(payload, params)
        return _drift_states(payload)

    # -- shared by REST and WebSocket ----------------------------------------------------------
    def call_service(self, domain: str, service: str, data: dict[str, Any],
                     target: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Validate and apply a service call; returns the changed states and the call's context."""
        handler = service_handler(domain, service)
        entity_ids = target_entity_ids(data, target)
        service_data = {k: v for k, v in data.items() if k != "entity_id"}
        self.service_calls.append((domain, service, {**service_data, "entity_id": entity_ids}))
        context = new_context()
        planned: list[tuple[str, str, dict[str, Any]]] = []
        for entity_id in entity_ids:
            current = self.store.get(entity_id)
            if current is None or not entity_id.startswith(domain + "."):
                continue  # Home Assistant ignores entities it does not have in that domain
            new_state, new_attrs = handler(entity_id, current.state, dict(current.attributes), service_data)
            planned.append((entity_id, new_state, new_attrs))
        changed = [self.store.set(eid, state, attrs, context) for eid, state, attrs in planned]
        return [self.render_state(s) for s in changed if s is not None], context

    def _on_state_changed(self, entity_id: str, old: SimState | None, new: SimState | None) -> None:
        fired = dt.datetime.now(dt.UTC).isoformat()
        for connection in list(self.connections):
            connection.state_changed(entity_id, old, new, fired)

    def attributes_of(self, entity_id: str) -> dict[str, Any] | None:
        state = self.store.get(entity_id)
        return dict(state.attributes) if state is not None else None

    def set_forecast(self, entity_id: str, kind: str, forecast: list[dict[str, Any]]) -> None:
        """A new forecast, pushed to every subscription of it (as a weather integration's update would)."""
        self._on_loop(lambda: self.forecasts.set(entity_id, kind, forecast))

    def _on_forecast_changed(self, entity_id: str, kind: str, forecast: list[dict[str, Any]]) -> None:
        for connection in list(self.connections):
            connection.forecast_changed(entity_id, kind, forecast)

    def _on_registry_changed(self, event_type: str, data: dict[str, Any]) -> None:
        fired = dt.datetime.now(dt.UTC).isoformat()
        for connection in list(self.connections):
            connection.registry_event(event_type, data, fired)

    def update_device(self, device_id: str, **changes: Any) -> dict[str, Any]:
        """Change a device's registry record (area_id, name_by_user…) and fire device_registry_updated."""
        return self._on_loop(lambda: dict(self.store.registry.update_device(device_id, changes)))

    def update_entity_entry(self, entity_id: str, **changes: Any) -> dict[str, Any]:
        """Change an entity registry entry (area_id, hidden_by, disabled_by…) and fire entity_registry_updated."""
        return self._on_loop(lambda: dict(self.store.registry.update_entity(entity_id, changes)))

    # -- routes --------------------------------------------------------------------------------
    def setup_routes(self, app: web.Application) -> None:
        app.router.add_get("/api/", self._api_root)
        app.router.add_get("/api/config", self._api_config)
        app.router.add_get("/api/states", self._api_states)
        app.router.add_get("/api/states/{entity_id}", self._api_state)
        app.router.add_post("/api/states/{entity_id}", self._api_set_state)
        app.router.add_get("/api/services", self._api_services)
        app.router.add_get("/api/history/period/{start}", self._api_history)
        app.router.add_post("/api/services/{domain}/{service}", self._api_call_service)
        app.router.add_get("/api/websocket", self._websocket)
        app.router.add_get("/api/camera_proxy/{entity_id}", functools.partial(camera_picture, self))
        app.router.add_get("/api/camera_proxy_stream/{entity_id}", functools.partial(camera_stream, self))
        app.router.add_get("/api/image_proxy/{entity_id}", functools.partial(image_proxy, self))
        app.router.add_post("/api/onboarding/users", functools.partial(onboard_user, self))
        app.router.add_post("/auth/token", functools.partial(auth_token, self))
        add_control_routes(app, self)

    def _authorized(self, request: web.Request) -> bool:
        return is_authorized(self.tokens, request)

    async def _api_root(self, request: web.Request) -> web.Response:
        return json_response({"message": "API running."}) if self._authorized(request) else unauthorized()

    async def _api_config(self, request: web.Request) -> web.Response:
        return json_response(self.config()) if self._authorized(request) else unauthorized()

    async def _api_states(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return unauthorized()
        return json_response([self.render_state(s) for s in self.store.states.values()])

    async def _api_state(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return unauthorized()
        state = self.store.get(request.match_info["entity_id"])
        if state is None:
            return json_response({"message": "Entity not found."}, 404)
        return json_response(self.render_state(state))

    async def _api_set_state(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return unauthorized()
        body = await read_body(request)
        if not isinstance(body, dict) or not isinstance(body.get("state"), str):
            return json_response({"message": "No state specified."}, 400)
        entity_id = request.match_info["entity_id"]
        existed = entity_id in self.store.states
        self.store.set(entity_id, body["state"], body.get("attributes") or {})
        return json_response(self.render_state(self.store.states[entity_id]), 200 if existed else 201)

    async def _api_history(self, request: web.Request) -> web.Response:
        """The recorder's history: one list per entity named in ``filter_entity_id`` (required, as in HA)."""
        if not self._authorized(request):
            return unauthorized()
        start = _parse_time(request.match_info["start"])
        end = _parse_time(request.query["end_time"]) if "end_time" in request.query else None
        if start is None or ("end_time" in request.query and end is None):
            return json_response({"message": "Invalid datetime"}, 400)
        wanted = [e for e in request.query.get("filter_entity_id", "").split(",") if e.strip()]
        if not wanted:
            return json_response({"message": "filter_entity_id is missing"}, 400)
        lists = [[self.render_state(s) for s in self.store.history(e.strip(), start, end)] for e in wanted]
        return json_response([states for states in lists if states])

    async def _api_services(self, request: web.Request) -> web.Response:
        return json_response(describe_services()) if self._authorized(request) else unauthorized()

    async def _api_call_service(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return unauthorized()
        body = await read_body(request)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            return json_response({"message": "Data should be valid JSON."}, 400)
        domain, service = request.match_info["domain"], request.match_info["service"]
        try:
            if (domain, service) == ("weather", "get_forecasts"):
                response = get_forecasts(self.forecasts, self.attributes_of, body, None,
                                         "return_response" in request.query)
                return json_response({"changed_states": [], "service_response": response})
            changed, _ = self.call_service(domain, service, body)
        except ServiceError as exc:
            return json_response({"message": exc.message}, exc.status)
        return json_response(changed)

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if not self.websocket_available:  # e.g. a reverse proxy that does not pass upgrades
            return web.Response(status=503, text="503: Service Unavailable")
        ws = web.WebSocketResponse(autoping=True, max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        self.websockets.add(ws)
        try:
            await HassConnection(self, ws).serve()
        finally:
            self.websockets.discard(ws)
        return ws


def _drift_states(payload: Any) -> Any:
    """Rename ``state`` to ``value`` and turn ``attributes`` into pairs in every state object, at any depth."""
    if isinstance(payload, list):
        return [_drift_states(item) for item in payload]
    if not isinstance(payload, dict):
        return payload
    out = {key: _drift_states(value) for key, value in payload.items()}
    if "entity_id" in out and "state" in out and "attributes" in out:
        out["value"] = out.pop("state")
        if isinstance(out["attributes"], dict):
            out["attributes"] = [list(pair) for pair in out["attributes"].items()]
    return out
