"""Home Assistant client library: typed REST and WebSocket access, no Django (testable on its own)."""

from .models import HassApiStatus, HassConfig, HassContext, HassState, StateChange
from .rest import API_RUNNING, AsyncHassRestClient, HassRestClient, StatesResult, ha_message, parse_states
from .websocket import HassWebSocket, raise_for_result, websocket_url

__all__ = [
    "API_RUNNING", "AsyncHassRestClient", "HassApiStatus", "HassConfig", "HassContext", "HassRestClient",
    "HassState", "HassWebSocket", "StateChange", "StatesResult", "ha_message",
    "parse_states", "raise_for_result", "websocket_url",
]
