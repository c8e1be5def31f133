"""Each request renders in the household's time zone (the environment's, the stored one or the system's)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.utils import timezone

from . import timezones


class HouseholdTimeZoneMiddleware:
    """Activates the zone for the request; works for sync views and the async live stream alike."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: Any) -> Any:
        if self.is_async:
            return self._acall(request)
        timezone.activate(timezones.current().zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    async def _acall(self, request: Any) -> Any:
        choice = await sync_to_async(timezones.current)()
        timezone.activate(choice.zone)
        try:
            response: Awaitable[Any] = self.get_response(request)
            return await response
        finally:
            timezone.deactivate()
