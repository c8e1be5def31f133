"""Home Assistant WebSocket API on the shared ``WebSocketClient`` (reconnect, ping, bounded queue).

This module adds Home Assistant's handshake (``auth_required`` → ``auth`` → ``auth_ok``), message
coalescing, the ``state_changed`` subscription, ``get_states`` after every (re)connect, and
``call_service``. Callbacks receive validated models; malformed events are logged and skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError

from hi.integrations import exceptions as exc
from hi.integrations.client import Timeouts, WebSocketClient, WsState

from .models import HassContext, StateChange, WsError
from .registry import REGISTRY_EVENTS, Registries, fetch_registries
from .rest import INTEGRATION_ID, StatesResult, parse_states

logger = logging.getLogger("hi.services.hass.client.ws")
DEFAULT_MAX_SIZE = 64 * 2**20  # get_states of a big home is several MB; websockets' 1 MiB is too small
# A whole listing (get_states, the registries) is one message and its wait is total, not per read as an
# HTTP read timeout is: it gets at least this long. A stalled server is still caught by the ping sooner.
LISTING_SECONDS = 60.0

OnChange = Callable[[StateChange], Awaitable[None]]
OnSnapshot = Callable[[StatesResult], Awaitable[None]]
OnRegistry = Callable[[str, dict[str, Any]], Awaitable[None]]
OnForecast = Callable[[str, str, Any], Awaitable[None]]  # entity_id, forecast type, the forecast list


def websocket_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base[len("https://"):] + "/api/websocket"
    return "ws://" + base.removeprefix("http://") + "/api/websocket"


def link_waits(timeouts: Timeouts, ping_interval: float | None) -> dict[str, float]:
    """The live link's waits, from the household's ``HI_HTTP_CONNECT_TIMEOUT`` / ``HI_HTTP_READ_TIMEOUT``.

    Opening is an HTTP request (the socket within the connect timeout, the upgrade's answer within the read
    timeout), the handshake and each command are answers (read); a ping is an answer too, but never waits
    longer than half the ping interval, so a long read timeout (one sized for a big listing) cannot slow
    noticing a dead link beyond one and a half intervals, while a short one is honoured.
    """
    ping = timeouts.read if not ping_interval else min(timeouts.read, ping_interval / 2)
    return {"open_timeout": timeouts.connect + timeouts.read, "auth_timeout": timeouts.read,
            "command_timeout": timeouts.read, "ping_timeout": ping}


def error_code(message: Any) -> str:
    """The error code of a failed result (``unknown_command`` for a command an older server lacks)."""
    error = message.get("error") if isinstance(message, dict) and not message.get("success") else None
    return str(error.get("code") or "") if isinstance(error, dict) else ""


def raise_for_result(message: Any, what: str) -> Any:
    """Return a successful result's ``result``; map Home Assistant's error codes onto our exceptions."""
    if not isinstance(message, dict) or message.get("type") != "result":
        raise exc.DataValidationError(f"unexpected answer to {what}", integration_id=INTEGRATION_ID)
    if message.get("success"):
        return message.get("result")
    try:
        error = WsError.model_validate(message.get("error") or {})
    except ValidationError:
        error = WsError(code="unknown_error", message="Home Assistant refused the command")
    if error.code == "unauthorized":
        raise exc.AuthenticationError(error.message, integration_id=INTEGRATION_ID)
    if error.code == "timeout":
        raise exc.IntegrationTimeoutError(error.message, integration_id=INTEGRATION_ID)
    raise exc.RequestError(error.message or error.code, integration_id=INTEGRATION_ID)


class HassWebSocket:
    """One live link to Home Assistant: ``on_change`` per state change, ``on_snapshot`` after each connect."""

    def __init__(self, base_url: str, token: str, *, on_change: OnChange, on_snapshot: OnSnapshot,
                 on_auth_failed: Callable[[exc.AuthenticationError], Any] | None = None,
                 on_state_change: Callable[[WsState, str], Any] | None = None,
                 on_error: Callable[[exc.IntegrationError], Awaitable[None]] | None = None,
                 ping_interval: float = 20.0, ping_timeout: float | None = None, max_size: int = DEFAULT_MAX_SIZE,
                 coalesce: bool = True, on_registry: OnRegistry | None = None,
                 on_forecast: OnForecast | None = None, timeouts: Timeouts | None = None, **options: Any) -> None:
        """``timeouts`` (the configured ones) set every wait of the link (``link_waits``); without them the
        shared client's defaults and a 10 s ping apply. An explicit ``ping_timeout`` or option wins."""
        self._token = token
        self._on_registry = on_registry
        self._registry_subscriptions: dict[int, str] = {}
        self._on_forecast = on_forecast
        self.forecast_subscriptions: dict[int, tuple[str, str]] = {}  # of this connection: id → (entity, type)
        self._early: dict[int, Any] = {}  # forecasts pushed before their subscription's answer was read
        self._on_change = on_change
        self._on_snapshot = on_snapshot
        self._coalesce = coalesce
        self._on_error = on_error
        self._subscription: int | None = None
        self.ha_version = ""
        waits: dict[str, Any] = link_waits(timeouts, ping_interval) if timeouts is not None else {"ping_timeout": 10.0}
        if ping_timeout is not None:
            waits["ping_timeout"] = ping_timeout
        self.listing_timeout = max(LISTING_SECONDS, timeouts.read) if timeouts is not None else LISTING_SECONDS
        self.answer_timeout = timeouts.read if timeouts is not None else 30.0  # a forecast: one entity's answer
        self.client = WebSocketClient(
            websocket_url(base_url), integration_id=INTEGRATION_ID, on_message=self._handle,
            authenticate=self._authenticate, on_connect=self._subscribe, resync=self._resync,
            on_auth_failed=on_auth_failed, on_state_change=on_state_change, ping=self._ping,
            ping_interval=ping_interval, max_size=max_size, **{**waits, **options})

    async def start(self) -> None:
        await self.client.start()

    async def stop(self) -> None:
        await self.client.stop()

    async def wait_connected(self, timeout: float | None = None) -> None:
        await self.client.wait_connected(timeout)

    @property
    def is_connected(self) -> bool:
        return self.client.is_connected

    @property
    def last_error(self) -> str:
        return self.client.last_error

    def snapshot(self) -> dict[str, Any]:
        return self.client.snapshot()

    async def call_service(self, domain: str, service: str, service_data: dict[str, Any] | None = None,
                           entity_id: str | None = None, timeout: float | None = None) -> HassContext | None:
        payload: dict[str, Any] = {"type": "call_service", "domain": domain, "service": service,
                                   "service_data": service_data or {}}
        if entity_id:
            payload["target"] = {"entity_id": entity_id}
        result = raise_for_result(await self.client.send_command(payload, timeout), "call_service")
        context = (result or {}).get("context") if isinstance(result, dict) else None
        return HassContext.model_validate(context) if isinstance(context, dict) else None

    async def get_states(self, timeout: float | None = None) -> StatesResult:
        answer = await self.client.send_command({"type": "get_states"}, timeout or self.listing_timeout)
        return parse_states(raise_for_result(answer, "get_states"))

    # -- hooks of the shared client ------------------------------------------------------------
    async def _authenticate(self, ws: WebSocketClient) -> None:
        hello = await ws.recv_json()
        if not isinstance(hello, dict) or hello.get("type") != "auth_required":
            raise exc.DataValidationError("the server did not start the Home Assistant handshake",
                                          integration_id=INTEGRATION_ID)
        await ws.send_json({"type": "auth", "access_token": self._token})
        answer = await ws.recv_json()
        kind = answer.get("type") if isinstance(answer, dict) else None
        if kind == "auth_invalid":
            raise exc.AuthenticationError("Home Assistant refused the access token (auth_invalid)",
                                          integration_id=INTEGRATION_ID)
        if kind != "auth_ok":
            raise exc.DataValidationError(f"unexpected handshake answer {kind!r}", integration_id=INTEGRATION_ID)
        self.ha_version = str(answer.get("ha_version", ""))

    async def _subscribe(self, ws: WebSocketClient) -> None:
        if self._coalesce:
            try:
                raise_for_result(await ws.send_command(
                    {"type": "supported_features", "features": {"coalesce_messages": 1}}), "supported_features")
            except exc.RequestError:
                logger.info("hass: server does not support message coalescing")
        self._subscription = None
        self.forecast_subscriptions, self._early = {}, {}  # a new connection has none of the old ones
        command = {"type": "subscribe_events", "event_type": "state_changed"}
        answer = await ws.send_command(command)
        raise_for_result(answer, "subscribe_events")
        self._subscription = answer["id"]
        self._registry_subscriptions = {}
        if self._on_registry is None:
            return
        for event_type in REGISTRY_EVENTS:
            answer = await ws.send_command({"type": "subscribe_events", "event_type": event_type})
            try:
                raise_for_result(answer, "subscribe_events")
            except (exc.RequestError, exc.AuthenticationError) as error:
                logger.info("hass: cannot follow %s (%s); registry changes need a manual sync", event_type,
                            error.message)
                continue
            self._registry_subscriptions[answer["id"]] = event_type

    async def subscribe_forecast(self, entity_id: str, forecast_type: str) -> str:
        """Follow one weather entity's forecast (``weather/subscribe_forecast``, HA 2023.9+): "" when
        subscribed, else HA's error code (``unknown_command`` on an older server)."""
        answer = await self.client.send_command(
            {"type": "weather/subscribe_forecast", "entity_id": entity_id, "forecast_type": forecast_type}, self.answer_timeout)
        code = error_code(answer)
        if code:
            return code
        raise_for_result(answer, "weather/subscribe_forecast")
        self.forecast_subscriptions[answer["id"]] = (entity_id, forecast_type)
        early = self._early.pop(answer["id"], None)
        if early is not None and self._on_forecast is not None:
            await self._on_forecast(entity_id, forecast_type, early.get("forecast"))
        return ""

    async def get_forecasts(self, entity_ids: list[str], forecast_type: str) -> dict[str, Any]:
        """``weather.get_forecasts`` with ``return_response`` (the way before a subscription existed):
        entity id → its forecast list."""
        answer = await self.client.send_command(
            {"type": "call_service", "domain": "weather", "service": "get_forecasts",
             "service_data": {"type": forecast_type}, "target": {"entity_id": entity_ids},
             "return_response": True}, self.answer_timeout)
        result = raise_for_result(answer, "weather.get_forecasts")
        response = result.get("response") if isinstance(result, dict) else None
        return {eid: body.get("forecast") for eid, body in response.items() if isinstance(body, dict)} \
            if isinstance(response, dict) else {}

    async def fetch_registries(self, timeout: float | None = None) -> Registries:
        """Every registry over this connection (after a registry event)."""
        return await fetch_registries(lambda payload: self.client.send_command(payload, timeout or self.listing_timeout))

    async def _forecast_event(self, sub_id: Any, event: dict[str, Any]) -> None:
        target = self.forecast_subscriptions.get(sub_id)
        if target is None:
            if isinstance(sub_id, int) and len(self._early) < 100:
                self._early[sub_id] = event  # its subscription's answer is still on its way
            return
        if self._on_forecast is not None:
            await self._on_forecast(target[0], target[1], event.get("forecast"))

    async def _resync(self, ws: WebSocketClient) -> None:
        try:
            snapshot = await self.get_states()
        except exc.IntegrationError as error:
            if self._on_error is not None:
                await self._on_error(error)
            raise
        await self._on_snapshot(snapshot)

    async def _ping(self, ws: WebSocketClient) -> None:
        answer = await ws.send_command({"type": "ping"})
        if not isinstance(answer, dict) or answer.get("type") != "pong":
            raise exc.DataValidationError("unexpected answer to ping", integration_id=INTEGRATION_ID)

    async def _handle(self, message: Any) -> None:
        if not isinstance(message, dict) or message.get("type") != "event":
            return
        event = message.get("event")
        if isinstance(event, dict) and "forecast" in event and message.get("id") != self._subscription:
            await self._forecast_event(message.get("id"), event)
            return
        if message.get("id") in self._registry_subscriptions:
            event = message.get("event")
            data = event.get("data") if isinstance(event, dict) else None
            if self._on_registry is not None:
                await self._on_registry(self._registry_subscriptions[message["id"]],
                                        data if isinstance(data, dict) else {})
            return
        if message.get("id") != self._subscription:
            return
        event = message.get("event")
        data = event.get("data") if isinstance(event, dict) else None
        if not isinstance(event, dict) or event.get("event_type") != "state_changed":
            return
        try:
            change = StateChange.model_validate(data)
        except ValidationError as error:
            self.client.skipped_messages += 1
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            logger.warning("hass: skipped a malformed state_changed event (%s: %s)", where, first["msg"])
            if self._on_error is not None:
                await self._on_error(exc.DataValidationError(
                    f"Home Assistant sent a state_changed event that does not match the schema ({where})",
                    field=where, integration_id=INTEGRATION_ID))
            return
        await self._on_change(change)
