"""Run-time fault injection for simulators (the client-layer work fills this in completely)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .base import SimulatorBase


class FaultInjector:
    """Holds the active faults; its middleware applies them to HTTP requests."""

    def __init__(self) -> None:
        self.active: dict[str, Any] = {}

    def describe(self) -> dict[str, Any]:
        return dict(self.active)

    def clear(self) -> None:
        self.active.clear()

    async def apply(self, spec: dict[str, Any], simulator: SimulatorBase) -> None:
        if not isinstance(spec, dict):
            raise TypeError("faults must be a JSON object")
        self.active.update(spec)

    def middleware(self, simulator: SimulatorBase):
        @web.middleware
        async def inject(request: web.Request, handler):
            simulator.request_log.append((request.method, request.path_qs))
            return await handler(request)

        return inject
