"""One WebSocket connection of the simulated Home Assistant: auth handshake, id rules, commands, subscriptions.

Outgoing messages go through a per-connection queue drained by one writer task, as in Home Assistant:
a reader that falls ``MAX_PENDING`` messages behind is disconnected, and with ``coalesce_messages``
the writer packs whatever is pending into one JSON array per frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from typing import Any, Protocol

from aiohttp import WSMsgType, web

from ..faults import FaultInjector
from .forecasts import ForecastBook, check_supported, get_forecasts
from .registry_events import REGISTRY_EVENTS
from .services import ServiceError
from .store import SimState, StateStore, new_context


class HassSimulator(Protocol):
    """What a connection uses of ``server.HassSimulator`` (a protocol, so the two modules do not import
    each other)."""

    faults: FaultInjector
    tokens: set[str]
    ha_version: str
    store: StateStore
    connections: set[Any]
    forecasts: ForecastBook

    def config(self) -> dict[str, Any]: ...

    def render_state(self, state: SimState) -> dict[str, Any]: ...

    def call_service(self, domain: str, service: str, data: dict[str, Any],
                     target: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], dict[str, Any]]: ...

    async def stalled_until_released(self) -> None: ...

    def attributes_of(self, entity_id: str) -> dict[str, Any] | None: ...

logger = logging.getLogger("hi.simulator.hass.ws")
MAX_PENDING = 4096
AUTH_TIMEOUT = 10.0
WS_PATH = "/api/websocket"


class HassConnection:
    """State of one authenticated socket: its token, last id, subscriptions and send queue."""

    def __init__(self, sim: HassSimulator, ws: web.WebSocketResponse) -> None:
        self.sim = sim
        self.ws = ws
        self.token = ""
        self.last_id = 0
        self.coalesce = False
        self.subscriptions: dict[int, tuple[str, frozenset[str] | None]] = {}
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.writer: asyncio.Task[None] | None = None

    # -- sending -------------------------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> None:
        if self.ws.closed:
            return
        if self.queue.qsize() >= MAX_PENDING:
            logger.info("client fell %d messages behind; disconnecting it", MAX_PENDING)
            self.queue = asyncio.Queue()
            asyncio.get_running_loop().create_task(self.ws.close())
            return
        self.queue.put_nowait(message)

    async def _write_loop(self) -> None:
        while not self.ws.closed:
            message = await self.queue.get()
            await self.sim.stalled_until_released()
            batch: list[dict[str, Any]] = [message]
            if self.coalesce:
                while not self.queue.empty() and len(batch) < 512:
                    batch.append(self.queue.get_nowait())
            payload: Any = batch if len(batch) > 1 else batch[0]
            text = await self.sim.faults.ws_outgoing(json.dumps(payload, separators=(",", ":")), WS_PATH)
            if text is None:
                continue
            try:
                await self.ws.send_str(text)
            except (ConnectionError, RuntimeError):
                return

    # -- lifecycle -----------------------------------------------------------------------------
    async def serve(self) -> None:
        ws = self.ws
        await self.sim.stalled_until_released()  # a hung server does not greet either
        if ws.closed:
            return
        await ws.send_json({"type": "auth_required", "ha_version": self.sim.ha_version})
        if not await self._authenticate():
            return
        self.sim.connections.add(self)
        self.writer = asyncio.get_running_loop().create_task(self._write_loop())
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                self._handle_text(msg.data)
        finally:
            self.sim.connections.discard(self)
            if self.writer is not None:
                self.writer.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await self.writer

    async def _authenticate(self) -> bool:
        try:
            msg = await self.ws.receive(timeout=AUTH_TIMEOUT)
        except TimeoutError:
            await self.ws.close()
            return False
        if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
            return False  # the client gave up (a stalled greeting, say): nothing to answer
        try:
            data = json.loads(msg.data) if msg.type == WSMsgType.TEXT else None
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("type") != "auth":
            await self.ws.send_json({"type": "auth_invalid", "message": "Auth message incorrectly formatted"})
            await self.ws.close()
            return False
        token = data.get("access_token")
        if not isinstance(token, str) or token not in self.sim.tokens or self.sim.faults.auth_revoked:
            await self.ws.send_json({"type": "auth_invalid", "message": "Invalid access token or password"})
            await self.ws.close()
            return False
        self.token = token
        await self.ws.send_json({"type": "auth_ok", "ha_version": self.sim.ha_version})
        return True

    # -- commands ------------------------------------------------------------------------------
    def _handle_text(self, text: str) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            self.send({"id": None, "type": "result", "success": False,
                       "error": {"code": "invalid_format", "message": "Message incorrectly formatted."}})
            return
        for message in data if isinstance(data, list) else [data]:
            self._handle(message)

    def _handle(self, message: Any) -> None:
        msg_id = message.get("id") if isinstance(message, dict) else None
        if not isinstance(msg_id, int) or isinstance(msg_id, bool) or not isinstance(message.get("type"), str):
            self.send({"id": msg_id, "type": "result", "success": False,
                       "error": {"code": "invalid_format", "message": "Message incorrectly formatted."}})
            return
        if msg_id <= self.last_id:
            self._error(msg_id, "id_reuse", "Identifier values have to increase.")
            return
        self.last_id = msg_id
        handler = getattr(self, "_cmd_" + message["type"].replace("/", "_"), None)
        if handler is None:
            self._error(msg_id, "unknown_command", "Unknown command.")
            return
        try:
            handler(msg_id, message)
        except ServiceError as exc:
            self._error(msg_id, exc.code, exc.message)

    def _result(self, msg_id: int, result: Any = None) -> None:
        self.send({"id": msg_id, "type": "result", "success": True, "result": result})

    def _error(self, msg_id: int, code: str, message: str) -> None:
        self.send({"id": msg_id, "type": "result", "success": False, "error": {"code": code, "message": message}})

    def _cmd_supported_features(self, msg_id: int, message: dict[str, Any]) -> None:
        self.coalesce = bool((message.get("features") or {}).get("coalesce_messages"))
        self._result(msg_id)

    def _cmd_ping(self, msg_id: int, message: dict[str, Any]) -> None:
        self.send({"id": msg_id, "type": "pong"})

    def _cmd_get_states(self, msg_id: int, message: dict[str, Any]) -> None:
        self._result(msg_id, [self.sim.render_state(s) for s in self.sim.store.states.values()])

    def _cmd_get_config(self, msg_id: int, message: dict[str, Any]) -> None:
        self._result(msg_id, self.sim.config())

    def _cmd_get_services(self, msg_id: int, message: dict[str, Any]) -> None:
        from .services import describe_services

        self._result(msg_id, {entry["domain"]: entry["services"] for entry in describe_services()})

    def _cmd_subscribe_events(self, msg_id: int, message: dict[str, Any]) -> None:
        event_type = message.get("event_type")
        if event_type in REGISTRY_EVENTS:
            self.subscriptions[msg_id] = ("registry", frozenset({event_type}))
            self._result(msg_id)
            return
        if event_type not in (None, "state_changed"):
            self._result(msg_id)  # accepted; the simulator fires only state_changed and registry events
            return
        self.subscriptions[msg_id] = ("events", None)
        self._result(msg_id)

    # -- registries ------------------------------------------------------------------------------
    def _cmd_config_device_registry_list(self, msg_id: int, message: dict[str, Any]) -> None:
        self._result(msg_id, list(self.sim.store.registry.devices.values()))

    def _cmd_config_entity_registry_list(self, msg_id: int, message: dict[str, Any]) -> None:
        self._result(msg_id, list(self.sim.store.registry.entities.values()))

    def _cmd_config_area_registry_list(self, msg_id: int, message: dict[str, Any]) -> None:
        self._result(msg_id, list(self.sim.store.registry.areas.values()))

    def _cmd_config_floor_registry_list(self, msg_id: int, message: dict[str, Any]) -> None:
        if not self.sim.store.registry.has_floors:
            raise ServiceError("unknown_command", "Unknown command.")
        self._result(msg_id, list(self.sim.store.registry.floors.values()))

    def _cmd_config_label_registry_list(self, msg_id: int, message: dict[str, Any]) -> None:
        if not self.sim.store.registry.has_floors:
            raise ServiceError("unknown_command", "Unknown command.")
        self._result(msg_id, list(self.sim.store.registry.labels.values()))

    def _cmd_config_device_registry_update(self, msg_id: int, message: dict[str, Any]) -> None:
        changes = {k: message[k] for k in ("area_id", "name_by_user", "disabled_by", "labels") if k in message}
        try:
            self._result(msg_id, self.sim.store.registry.update_device(str(message.get("device_id")), changes))
        except KeyError:
            raise ServiceError("not_found", "Device not found") from None

    def _cmd_config_entity_registry_update(self, msg_id: int, message: dict[str, Any]) -> None:
        changes = {k: message[k] for k in ("area_id", "name", "disabled_by", "hidden_by", "labels") if k in message}
        try:
            entry = self.sim.store.registry.update_entity(str(message.get("entity_id")), changes)
        except KeyError:
            raise ServiceError("not_found", "Entity not found") from None
        self._result(msg_id, {"entity_entry": entry})

    def registry_event(self, event_type: str, data: dict[str, Any], fired: str) -> None:
        for sub_id, (kind, only) in self.subscriptions.items():
            if kind == "registry" and only is not None and event_type in only:
                self.send({"id": sub_id, "type": "event", "event": {
                    "event_type": event_type, "origin": "LOCAL", "time_fired": fired, "data": data,
                    "context": {"id": "01SIMREGISTRY", "parent_id": None, "user_id": None}}})

    def _cmd_subscribe_entities(self, msg_id: int, message: dict[str, Any]) -> None:
        wanted = message.get("entity_ids")
        only = frozenset(wanted) if isinstance(wanted, list) else None
        self.subscriptions[msg_id] = ("entities", only)
        self._result(msg_id)
        states = {eid: s.compact() for eid, s in self.sim.store.states.items() if only is None or eid in only}
        self.send({"id": msg_id, "type": "event", "event": {"a": states}})

    def _cmd_unsubscribe_events(self, msg_id: int, message: dict[str, Any]) -> None:
        if self.subscriptions.pop(message.get("subscription"), None) is None:
            self._error(msg_id, "not_found", "Subscription not found.")
        else:
            self._result(msg_id)

    def _cmd_call_service(self, msg_id: int, message: dict[str, Any]) -> None:
        domain, service = message.get("domain"), message.get("service")
        data = message.get("service_data") or {}
        if not isinstance(domain, str) or not isinstance(service, str) or not isinstance(data, dict):
            raise ServiceError("invalid_format", "Message incorrectly formatted.")
        if (domain, service) == ("weather", "get_forecasts"):
            response = get_forecasts(self.sim.forecasts, self.sim.attributes_of, data, message.get("target"),
                                     bool(message.get("return_response")))
            self._result(msg_id, {"context": new_context(), "response": response})
            return
        context = self.sim.call_service(domain, service, data, message.get("target"))[1]
        self._result(msg_id, {"context": context, "response": None})

    def _cmd_weather_subscribe_forecast(self, msg_id: int, message: dict[str, Any]) -> None:
        if not self.sim.forecasts.push_available:
            raise ServiceError("unknown_command", "Unknown command.")
        entity_id, kind = str(message.get("entity_id")), str(message.get("forecast_type"))
        check_supported(self.sim.attributes_of(entity_id), entity_id, kind)
        self.subscriptions[msg_id] = ("forecast", frozenset({entity_id, kind}))
        self._result(msg_id)
        self.forecast_changed(entity_id, kind, self.sim.forecasts.get(entity_id, kind))  # the first push

    def forecast_changed(self, entity_id: str, kind: str, forecast: list[dict[str, Any]]) -> None:
        for sub_id, (sub_kind, only) in self.subscriptions.items():
            if sub_kind == "forecast" and only == frozenset({entity_id, kind}):
                self.send({"id": sub_id, "type": "event", "event": {"type": kind, "forecast": forecast}})

    def _cmd_auth_long_lived_access_token(self, msg_id: int, message: dict[str, Any]) -> None:
        token = secrets.token_urlsafe(32)
        self.sim.tokens.add(token)
        self._result(msg_id, token)

    # -- events --------------------------------------------------------------------------------
    def state_changed(self, entity_id: str, old: SimState | None, new: SimState | None, fired: str) -> None:
        for sub_id, (kind, only) in self.subscriptions.items():
            if kind in ("registry", "forecast"):
                continue
            if kind == "events":
                context = (new or old).context if (new or old) else None
                self.send({"id": sub_id, "type": "event", "event": {
                    "event_type": "state_changed", "origin": "LOCAL", "time_fired": fired, "context": context,
                    "data": {"entity_id": entity_id,
                             "old_state": self.sim.render_state(old) if old else None,
                             "new_state": self.sim.render_state(new) if new else None}}})
            elif only is None or entity_id in only:
                self.send({"id": sub_id, "type": "event", "event": _compact_change(entity_id, old, new)})


def _compact_change(entity_id: str, old: SimState | None, new: SimState | None) -> dict[str, Any]:
    if new is None:
        return {"r": [entity_id]}
    if old is None:
        return {"a": {entity_id: new.compact()}}
    added: dict[str, Any] = {"c": new.context["id"]}
    if new.state != old.state:
        added["s"] = new.state
        added["lc"] = new.last_changed.timestamp()
    else:
        added["lu"] = new.last_updated.timestamp()
    changed_attrs = {k: v for k, v in new.attributes.items() if old.attributes.get(k, object()) != v}
    if changed_attrs:
        added["a"] = changed_attrs
    diff: dict[str, Any] = {"+": added}
    removed = [k for k in old.attributes if k not in new.attributes]
    if removed:
        diff["-"] = {"a": removed}
    return {"c": {entity_id: diff}}
