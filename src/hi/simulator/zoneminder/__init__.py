"""A ZoneMinder 1.36 simulator: profiles ``demo`` (4 monitors) and ``scale`` (50 monitors, busy events).

Base URLs as a real install has them: API ``{url}/zm/api``, portal ``{url}/zm``. Tests drive
events through ``sim.state`` (``start_event``, ``end_event``, ``add_event``, ``advance_time``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import random
from collections.abc import Callable
from typing import ClassVar

from aiohttp import web

from hi.simulator.base import SimulatorBase

from .server import ZoneMinderApi, run_motion
from .state import SimMonitor, ZoneMinderState

DEMO_MONITORS = (("Front Door", "Modect"), ("Driveway", "Modect"), ("Back Yard", "Mocord"), ("Garage", "Monitor"))
# profile -> (events per second, shortest, longest event in seconds, historical events to seed)
MOTION = {"demo": (1 / 20, 2.0, 12.0, 25), "scale": (5.0, 0.3, 6.0, 5000)}


class ZoneMinderSimulator(SimulatorBase):
    name: ClassVar[str] = "zoneminder"
    profiles: ClassVar[tuple[str, ...]] = ("demo", "scale")

    def __init__(self, profile: str = "demo", host: str = "127.0.0.1", port: int = 0, *,
                 username: str = "admin", password: str = "zm-admin-pass", timezone: str = "America/Chicago",
                 access_token_lifetime: float = 7200, refresh_token_lifetime: float = 86400,
                 motion: bool | None = None, seed_history: bool | None = None,
                 clock: Callable[[], dt.datetime] | None = None, seed: int | None = None,
                 monitor_count: int | None = None) -> None:
        super().__init__(profile=profile, host=host, port=port)
        self.username = username
        self.password = password
        self._options = {"timezone": timezone, "username": username, "password": password,
                         "access_token_lifetime": access_token_lifetime,
                         "refresh_token_lifetime": refresh_token_lifetime, "clock": clock}
        self.motion_enabled = motion if motion is not None else True
        self.seed_history_enabled = seed_history if seed_history is not None else motion is None
        self.rng = random.Random(seed)
        self.monitor_count = monitor_count or (50 if profile == "scale" else len(DEMO_MONITORS))
        self._motion_task: asyncio.Task[None] | None = None
        self.state = self._fresh_state()
        self.api = ZoneMinderApi(self.state)

    def _fresh_state(self) -> ZoneMinderState:
        if self.profile == "scale" or self.monitor_count > len(DEMO_MONITORS):
            monitors = [SimMonitor(n, f"Camera {n:02d}", "Modect" if n % 5 else "Mocord")
                        for n in range(1, self.monitor_count + 1)]
        else:
            monitors = [SimMonitor(n, name, function)
                        for n, (name, function) in enumerate(DEMO_MONITORS[:self.monitor_count], start=1)]
        state = ZoneMinderState(monitors=monitors, **self._options)
        if self.seed_history_enabled:
            state.seed_history(MOTION[self.profile][3])
        return state

    @property
    def api_url(self) -> str:
        return f"{self.url}/zm/api"

    @property
    def portal_url(self) -> str:
        return f"{self.url}/zm"

    def integration_attributes(self) -> dict[str, str]:
        """What to configure the ``zoneminder`` integration with to use this simulator."""
        return {"api_url": self.api_url, "portal_url": self.portal_url, "username": self.username,
                "password": self.password, "timezone": self.state.timezone_name}

    def setup_routes(self, app: web.Application) -> None:
        self.api.routes(app)

    def reset_state(self) -> None:
        self.state = self._fresh_state()
        self.api.state = self.state
        self.api.media.state = self.state

    @property
    def media(self):  # type: ignore[no-untyped-def]
        """The portal's media side: ``hostile`` mode, ``open_streams`` and ``wait_open_streams``."""
        return self.api.media

    async def start(self) -> None:
        self.api.closing = asyncio.Event()
        await super().start()
        if self.motion_enabled and self._motion_task is None:
            rate, shortest, longest, _ = MOTION[self.profile]
            self.start_motion(rate, shortest, longest)

    async def stop(self) -> None:
        self.api.closing.set()
        await self.stop_motion()
        await super().stop()

    def start_motion(self, rate: float, min_duration: float, max_duration: float) -> None:
        """Run the motion script on the simulator's loop (call from that loop)."""
        self._motion_task = asyncio.get_running_loop().create_task(
            run_motion(self.state, rate, min_duration, max_duration, self.rng))

    async def stop_motion(self) -> None:
        if self._motion_task is not None:
            self._motion_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._motion_task
            self._motion_task = None

    async def restart(self, downtime: float = 0.0) -> None:
        """Stop serving (connections refused), then come back on the same port with the same data.

        Like zmpkg restarting, events still open are closed; tokens survive (they are signed, not stored).
        """
        await self.stop()
        self.state.change_state("stop")
        if downtime:
            await asyncio.sleep(downtime)
        self.state.change_state("start")
        await self.start()


SIMULATOR = ZoneMinderSimulator
