"""Home Assistant REST API on the shared resilient HTTP layer (sync for sync/control, async for polling).

Retries, backoff, the breaker and error mapping come from ``hi.integrations.client``; this module
adds only Home Assistant's paths, its payload shapes and its ``{"message"}`` error bodies.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from hi.integrations import exceptions as exc
from hi.integrations.client import AsyncHttpClient, BearerAuth, HttpClient, Timeouts
from hi.integrations.client.validation import field_path

from .models import HassApiStatus, HassConfig, HassState

logger = logging.getLogger("hi.services.hass.client")
INTEGRATION_ID = "hass"
API_RUNNING = "API running."
_MESSAGE = re.compile(r'"message"\s*:\s*"((?:[^"\\]|\\.)*)"')


@dataclass
class StatesResult:
    """Valid states plus how many were skipped because they did not match the schema."""

    states: list[HassState]
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def parse_states(raw: Any) -> StatesResult:
    """Validate a list of states one by one: a malformed state is logged and skipped, not fatal.

    If every state is malformed the payload has drifted from what we understand: DataValidationError.
    """
    if not isinstance(raw, list):
        raise exc.DataValidationError("Home Assistant sent states that are not a list", field="states",
                                      integration_id=INTEGRATION_ID)
    result = StatesResult(states=[])
    for index, item in enumerate(raw):
        try:
            result.states.append(HassState.model_validate(item))
        except ValidationError as error:
            result.skipped += 1
            if len(result.problems) < 5:
                first = error.errors(include_url=False, include_input=False)[0]
                result.problems.append(f"states[{index}].{field_path(first['loc'])}: {first['msg']}")
    if result.skipped:
        logger.warning("hass: skipped %d malformed states (%s)", result.skipped, "; ".join(result.problems))
        if not result.states:
            raise exc.DataValidationError(
                f"Home Assistant states do not match the expected schema ({result.problems[0]})",
                field="states", integration_id=INTEGRATION_ID)
    return result


HISTORY_CHUNK = 100  # entity ids per history request: keeps the URL short


def history_path(start: dt.datetime) -> str:
    """``/api/history/period/<start>``; the time is percent-encoded (its ``+`` would read as a space)."""
    return "/api/history/period/" + quote(start.astimezone(dt.UTC).isoformat(), safe="")


def history_params(entity_ids: list[str]) -> dict[str, str]:
    """Full states for every change (attribute-only ones too), so a replay holds all we would have seen."""
    return {"filter_entity_id": ",".join(entity_ids), "significant_changes_only": "0"}


def parse_history(raw: Any) -> list[HassState]:
    """The recorder's answer (a list per entity); states that do not match the schema are skipped."""
    if not isinstance(raw, list):
        raise exc.DataValidationError("Home Assistant sent a history that is not a list", field="history",
                                      integration_id=INTEGRATION_ID)
    flat = [item for states in raw if isinstance(states, list) for item in states]
    return parse_states(flat).states if flat else []


def ha_message(error: exc.IntegrationError) -> str:
    """Home Assistant's own ``message`` from an error body when there is one, else our message."""
    match = _MESSAGE.search(error.message)
    if match:
        try:
            return json.loads(f'"{match.group(1)}"')
        except ValueError:
            return match.group(1)
    return error.message


def _client_options(token: str, timeout: float | None) -> dict[str, Any]:
    read = timeout if timeout is not None else 30.0
    return {"integration_id": INTEGRATION_ID, "auth": BearerAuth(token),
            "timeouts": Timeouts(connect=min(5.0, read), read=read), "max_response_bytes": 256 * 2**20}


class HassRestClient:
    """Synchronous Home Assistant REST client (import, control, connection tests)."""

    def __init__(self, base_url: str, token: str, *, timeout: float | None = None, **options: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = HttpClient(self.base_url, **{**_client_options(token, timeout), **options})

    def __enter__(self) -> HassRestClient:
        return self

    def __exit__(self, *args: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def api_status(self) -> HassApiStatus:
        return self.http.get_json("/api/", HassApiStatus)

    def config(self) -> HassConfig:
        return self.http.get_json("/api/config", HassConfig)

    def states(self) -> StatesResult:
        return parse_states(self.http.get_json("/api/states"))

    def state(self, entity_id: str) -> HassState | None:
        try:
            return self.http.get_json(f"/api/states/{entity_id}", HassState)
        except exc.RequestError as error:
            if error.status_code == 404:
                return None
            raise

    def call_service(self, domain: str, service: str, data: dict[str, Any]) -> list[HassState]:
        """POST a service call; returns the states it changed. HA's refusal → RequestError with its message."""
        try:
            raw = self.http.post_json(f"/api/services/{domain}/{service}", json=data)
        except exc.RequestError as error:
            raise exc.RequestError(ha_message(error), status_code=error.status_code,
                                   integration_id=INTEGRATION_ID) from None
        return parse_states(raw).states if raw else []


class AsyncHassRestClient:
    """Asynchronous Home Assistant REST client (the monitor's polling fallback)."""

    def __init__(self, base_url: str, token: str, *, timeout: float | None = None, **options: Any) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = AsyncHttpClient(self.base_url, **{**_client_options(token, timeout), **options})

    async def aclose(self) -> None:
        await self.http.aclose()

    async def config(self) -> HassConfig:
        return await self.http.get_json("/api/config", HassConfig)

    async def states(self) -> StatesResult:
        return parse_states(await self.http.get_json("/api/states"))

    async def history(self, start: dt.datetime, entity_ids: Iterable[str]) -> list[HassState]:
        """Every state the recorder kept for ``entity_ids`` since ``start``, oldest first (the state
        current at ``start`` included); a 404 (no ``history`` integration) raises RequestError."""
        ids = sorted(set(entity_ids))
        found: list[HassState] = []
        for offset in range(0, len(ids), HISTORY_CHUNK):
            raw = await self.http.get_json(history_path(start), params=history_params(ids[offset:offset + HISTORY_CHUNK]))
            found.extend(parse_history(raw))
        return sorted(found, key=lambda state: state.last_updated or start)
