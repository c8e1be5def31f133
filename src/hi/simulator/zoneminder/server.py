"""The ZoneMinder 1.36 HTTP surface: ``/zm/api/...`` (CakePHP JSON) and ``/zm/cgi-bin/nph-zms`` streams.

Faithful where clients trip: string numbers, ``?token=`` on every call, 401 bodies shaped like
CakePHP's, path-segment event filters with pagination, local-time timestamps without an offset,
403 with an empty body from ``nph-zms`` on bad auth.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from .event_media import PortalMedia
from .hostile import hostile_answer
from .media import camera_frame
from .state import FUNCTIONS, SimEvent, ZoneMinderState

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_OPERATORS = ("!=", ">=", "<=", ">", "<", "=", "IS NOT", "IS", "LIKE")
VERSION = {"version": "1.36.33", "apiversion": "2.0"}
BOUNDARY = "ZoneMinderFrame"


def error_body(status: int, name: str, exception_class: str = "UnauthorizedException") -> web.Response:
    """A CakePHP error payload as ZoneMinder sends it."""
    body = {"success": False, "data": {"name": name, "message": name, "url": "",
                                       "exception": {"class": exception_class, "code": status,
                                                     "message": name}}}
    return web.json_response(body, status=status)


def parse_filters(path: str) -> list[tuple[str, str, str]]:
    """``MonitorId:3/StartDateTime >=:2026-01-01 00:00:00.json`` -> [(field, op, value), ...]."""
    path = path.removesuffix(".json")
    filters: list[tuple[str, str, str]] = []
    for segment in filter(None, path.split("/")):
        key, sep, value = segment.partition(":")
        if not sep:
            raise ValueError(f"bad filter segment {segment!r}")
        key = key.strip()
        field_name, _, op = key.partition(" ")
        op = op.strip().upper() or "="
        if op not in _OPERATORS or not field_name.isalnum():
            raise ValueError(f"bad filter {key!r}")
        filters.append((field_name, op, value))
    return filters


class ZoneMinderApi:
    """Route handlers bound to one ``ZoneMinderState``."""

    def __init__(self, state: ZoneMinderState) -> None:
        self.state = state
        self.frames_served = 0
        self.closing = asyncio.Event()  # set on shutdown so open MJPEG streams end at once
        self.media = PortalMedia(state)  # recorded media, the open-stream count, hostile mode

    def routes(self, app: web.Application) -> None:
        api = "/zm/api"
        app.router.add_post(f"{api}/host/login.json", self.login)
        app.router.add_get(f"{api}/host/getVersion.json", self.auth(self.version))
        app.router.add_get(f"{api}/host/daemonCheck.json", self.auth(self.daemon_check))
        app.router.add_get(f"{api}/host/getTimeZone.json", self.auth(self.time_zone))
        app.router.add_get(f"{api}/monitors.json", self.auth(self.monitors))
        app.router.add_get(f"{api}/monitors/alarm/{{spec:.+}}", self.auth(self.alarm))
        app.router.add_get(api + r"/monitors/{id:\d+}.json", self.auth(self.monitor))
        app.router.add_post(api + r"/monitors/{id:\d+}.json", self.auth(self.edit_monitor))
        app.router.add_get(f"{api}/events.json", self.auth(self.events))
        app.router.add_get(f"{api}/events/index.json", self.auth(self.events))
        app.router.add_get(f"{api}/events/index/{{filters:.+}}", self.auth(self.events))
        app.router.add_get(api + r"/events/{id:\d+}.json", self.auth(self.event))
        app.router.add_get(f"{api}/states.json", self.auth(self.states))
        app.router.add_post(f"{api}/states/change/{{name:[^/]+}}.json", self.auth(self.change_state))
        app.router.add_get("/zm/cgi-bin/nph-zms", self.zms)
        app.router.add_get("/zm/index.php", self.portal_index)
        app.router.add_post("/_sim/events", self.sim_start_event)
        app.router.add_post(r"/_sim/events/{id:\d+}/commit", self.sim_commit_event)
        app.router.add_post(r"/_sim/events/{id:\d+}/end", self.sim_end_event)

    # -- auth ----------------------------------------------------------------------------------
    def auth(self, handler: Handler) -> Handler:
        async def checked(request: web.Request) -> web.StreamResponse:
            problem = self.state.check_token(request.query.get("token"))
            if problem:
                return error_body(401, problem)
            return await handler(request)

        return checked

    async def login(self, request: web.Request) -> web.Response:
        form = await request.post()
        state = self.state
        refresh = form.get("token")
        if refresh:
            if state.check_token(str(refresh), kind="refresh"):
                return error_body(401, "Invalid refresh token")
            state.refreshes += 1
            user = state.tokens[str(refresh)].user
            return web.json_response({
                "access_token": state.issue("access", user, state.access_token_lifetime),
                "access_token_expires": int(state.access_token_lifetime), **VERSION})
        user, password = str(form.get("user", "")), str(form.get("pass", ""))
        if not user or state.users.get(user) != password:
            return error_body(401, f'Login denied for user "{user}"')
        state.logins += 1
        return web.json_response({
            "access_token": state.issue("access", user, state.access_token_lifetime),
            "access_token_expires": int(state.access_token_lifetime),
            "refresh_token": state.issue("refresh", user, state.refresh_token_lifetime),
            "refresh_token_expires": int(state.refresh_token_lifetime), **VERSION})

    # -- host ----------------------------------------------------------------------------------
    async def version(self, request: web.Request) -> web.Response:
        return web.json_response(VERSION)

    async def daemon_check(self, request: web.Request) -> web.Response:
        return web.json_response({"result": 1 if self.state.daemons_running else 0})

    async def time_zone(self, request: web.Request) -> web.Response:
        return web.json_response({"tz": self.state.timezone_name})

    # -- monitors ------------------------------------------------------------------------------
    def _monitor_id(self, request: web.Request) -> int | None:
        monitor_id = int(request.match_info["id"])
        return monitor_id if monitor_id in self.state.monitors else None

    async def monitors(self, request: web.Request) -> web.Response:
        with self.state.lock:
            rows = [m.as_json(self.state.daemons_running) for m in self.state.monitors.values()]
        return web.json_response({"monitors": rows})

    async def monitor(self, request: web.Request) -> web.Response:
        monitor_id = self._monitor_id(request)
        if monitor_id is None:
            return error_body(404, "Invalid monitor", "NotFoundException")
        with self.state.lock:
            return web.json_response({"monitor": self.state.monitors[monitor_id].as_json(self.state.daemons_running)})

    async def edit_monitor(self, request: web.Request) -> web.Response:
        monitor_id = self._monitor_id(request)
        if monitor_id is None:
            return error_body(404, "Invalid monitor", "NotFoundException")
        form = await request.post()
        function = form.get("Monitor[Function]")
        enabled = form.get("Monitor[Enabled]")
        if function is not None and str(function) not in FUNCTIONS:
            return error_body(400, "Function is not valid", "BadRequestException")
        self.state.edit_monitor(monitor_id, str(function) if function is not None else None,
                                None if enabled is None else str(enabled) == "1")
        return web.json_response({"message": "Saved"})

    async def alarm(self, request: web.Request) -> web.Response:
        try:
            params = dict(part.split(":", 1) for part in request.match_info["spec"].removesuffix(".json").split("/"))
            monitor_id, command = int(params["id"]), params["command"]
        except (ValueError, KeyError):
            return error_body(400, "Bad alarm request", "BadRequestException")
        if monitor_id not in self.state.monitors:
            return error_body(404, "Invalid monitor", "NotFoundException")
        name = self.state.monitors[monitor_id].name
        if command == "on":  # real 1.36 answers on/off with zmu's text, status with the number
            event_id = self.state.start_event(monitor_id, cause="Forced Web", score=255)
            text = f"Alarmed event id: {event_id}"
            return web.json_response({"status": text, "output": f"Monitor {monitor_id}({name})\n{text}"})
        if command == "off":
            with self.state.lock:
                open_id = self.state.open_by_monitor.get(monitor_id)
                if open_id is not None:
                    self.state.end_event(open_id)
            text = "Cancelling forced alarm on/off"
            return web.json_response({"status": text, "output": f"Monitor {monitor_id}({name})\n{text}"})
        if command != "status":
            return error_body(400, "Bad alarm command", "BadRequestException")
        status = str(self.state.alarm_status(monitor_id))
        return web.json_response({"status": status, "output": status})

    # -- events --------------------------------------------------------------------------------
    async def events(self, request: web.Request) -> web.Response:
        try:
            filters = parse_filters(request.match_info.get("filters", ""))
            matched = self.state.query_events(filters)
            page = max(1, int(request.query.get("page", "1")))
            limit = max(1, min(int(request.query.get("limit", "100")), 1000))
        except ValueError as exc:
            return error_body(400, str(exc), "BadRequestException")
        sort = request.query.get("sort", "StartDateTime")
        key: Callable[[SimEvent], Any] = {
            "Id": lambda e: e.id, "MonitorId": lambda e: (e.monitor_id, e.id),
            "StartDateTime": lambda e: (e.start, e.id),
            "EndDateTime": lambda e: (e.end is not None, e.end or e.start, e.id),
        }.get(sort, lambda e: (e.start, e.id))
        descending = request.query.get("direction", "asc").lower() == "desc"
        if not (sort == "Id" and not descending):  # the list is already id-ordered
            matched = sorted(matched, key=key, reverse=descending)
        count = len(matched)
        page_count = max(1, math.ceil(count / limit))
        rows = matched[(page - 1) * limit: page * limit]
        with self.state.lock:
            now = self.state.now()
            body = [event.as_json(self.state.tz, now) for event in rows]
        return web.json_response({"events": body, "pagination": {
            "page": page, "current": len(rows), "count": count, "prevPage": page > 1,
            "nextPage": page < page_count, "pageCount": page_count, "limit": limit,
            "order": {f"Event.{sort}": "desc" if descending else "asc"}, "options": {},
            "paramType": "querystring", "queryScope": None}})

    async def event(self, request: web.Request) -> web.Response:
        event = self.state.visible_event(int(request.match_info["id"]))
        if event is None:
            return error_body(404, "Invalid event", "NotFoundException")
        with self.state.lock:
            return web.json_response({"event": event.as_json(self.state.tz, self.state.now())})

    # -- test API (not ZoneMinder's): drive the event lifecycle from another process --------------
    async def sim_start_event(self, request: web.Request) -> web.Response:
        """``{"monitor_id": 1, "visible": false, "score": 40}`` → ``{"id": n}``; invisible until committed."""
        try:
            body = await request.json()
            event_id = self.state.start_event(int(body["monitor_id"]), score=int(body.get("score", 40)),
                                              visible=bool(body.get("visible", True)))
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"error": f"bad event request: {exc!s}"}, status=400)
        return web.json_response({"id": event_id})

    async def sim_commit_event(self, request: web.Request) -> web.Response:
        try:
            self.state.commit_event(int(request.match_info["id"]))
        except KeyError:
            return web.json_response({"error": "no such event"}, status=404)
        return web.json_response({"committed": True})

    async def sim_end_event(self, request: web.Request) -> web.Response:
        try:
            self.state.end_event(int(request.match_info["id"]))
        except KeyError:
            return web.json_response({"error": "no such event"}, status=404)
        return web.json_response({"ended": True})

    # -- run states ----------------------------------------------------------------------------
    async def states(self, request: web.Request) -> web.Response:
        with self.state.lock:
            rows = [{"State": {"Id": str(s.id), "Name": s.name, "Definition": s.definition,
                               "IsActive": "1" if s.active else "0"}} for s in self.state.run_states]
        return web.json_response({"states": rows})

    async def change_state(self, request: web.Request) -> web.Response:
        try:
            self.state.change_state(request.match_info["name"])
        except KeyError:
            return error_body(404, "Invalid state", "NotFoundException")
        return web.json_response({"status": "ok"})

    async def portal_index(self, request: web.Request) -> web.StreamResponse:
        return await self.media.index(request)

    # -- streams -------------------------------------------------------------------------------
    async def zms(self, request: web.Request) -> web.StreamResponse:
        if self.state.check_token(request.query.get("token")):
            return web.Response(status=403, body=b"")
        if self.media.hostile:
            kind = "picture" if request.query.get("mode") == "single" else "stream"
            return await hostile_answer(request, self.media.hostile, kind)
        if request.query.get("source") == "event" or "event" in request.query:
            return await self.media.replay(request, self.closing)
        try:
            monitor_id = int(request.query.get("monitor", ""))
            max_fps = max(0.5, min(float(request.query.get("maxfps", "5")), 30.0))
        except ValueError:
            return web.Response(status=400, body=b"")
        if monitor_id not in self.state.monitors:
            return web.Response(status=404, body=b"")
        mode = request.query.get("mode", "jpeg")
        if mode == "single":
            self.frames_served += 1
            return web.Response(body=camera_frame(monitor_id, self.frames_served), content_type="image/jpeg")
        response = web.StreamResponse(headers={"Content-Type": f"multipart/x-mixed-replace;boundary={BOUNDARY}"})
        await response.prepare(request)
        frame = 0
        self.media.stream_opened()
        try:
            with contextlib.suppress(ConnectionError, asyncio.CancelledError, TimeoutError):
                while not self.closing.is_set():
                    jpeg = camera_frame(monitor_id, frame)
                    await response.write(f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                                         f"Content-Length: {len(jpeg)}\r\n\r\n".encode() + jpeg + b"\r\n")
                    self.frames_served += 1
                    frame += 1
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(1.0 / max_fps):
                            await self.closing.wait()
        finally:
            self.media.stream_closed()  # the upstream connection a proxy holds is gone
        return response


async def run_motion(state: ZoneMinderState, rate: float, min_duration: float, max_duration: float,
                     rng: random.Random) -> None:
    """Open events on detecting monitors at ``rate`` per second and close each after a random duration."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(rng.expovariate(rate))
        with state.lock:
            candidates = [m.id for m in state.monitors.values()
                          if m.enabled and m.function in ("Modect", "Mocord") and state.daemons_running
                          and m.id not in state.open_by_monitor]
        if not candidates:
            continue
        event_id = state.start_event(rng.choice(candidates), score=rng.randint(10, 100))
        loop.call_later(rng.uniform(min_duration, max_duration), state.end_event, event_id)
