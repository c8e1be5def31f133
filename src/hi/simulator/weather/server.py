"""The weather simulator's HTTP surface: the three public APIs' paths, errors and quirks."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from aiohttp import web

from ..base import SimulatorBase
from .alerts import SimAlert, demo_script
from .payloads import (
    OPENMETEO_CURRENT,
    OPENMETEO_DAILY,
    Observation,
    nws_observation,
    nws_periods,
    openmeteo_forecast,
    sunrise_sunset_results,
)

PREFIXES = {"nws": "/nws", "openmeteo": "/openmeteo", "sunrise_sunset": "/sunrise"}
STATION = "KSIM"
_POINT = re.compile(r"^(-?\d{1,2}(?:\.\d{1,4})?),(-?\d{1,3}(?:\.\d{1,4})?)$")


@dataclass
class Outage:
    """A source answering ``status`` until ``until`` (None: until recovered) or for ``remaining`` requests."""

    status: int = 503
    until: dt.datetime | None = None
    remaining: int | None = None


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class WeatherSimulator(SimulatorBase):
    """Profiles: ``demo`` (healthy, a scripted storm), ``flaky`` (NWS 503 for the first 10 minutes), ``quiet``."""

    name: ClassVar[str] = "weather"
    profiles: ClassVar[tuple[str, ...]] = ("demo", "flaky", "quiet")

    def __init__(self, profile: str = "demo", host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], dt.datetime] = _utc_now) -> None:
        super().__init__(profile, host, port)
        self.clock = clock
        self.reset_state()

    # -- Python API for tests and the demo -----------------------------------------------------
    def reset_state(self) -> None:
        now = self.clock()
        self.coverage = (18.0, 72.0, -180.0, -60.0)  # lat min/max, lon min/max, roughly the US
        self.outages: dict[str, Outage] = {}
        self.observation = Observation()
        self.alerts: list[SimAlert] = []
        self.sun_status = "OK"
        self.openmeteo_per_minute = 600
        self._openmeteo_minute: tuple[str, int] = ("", 0)
        self.counts: Counter[str] = Counter()
        self.request_times: list[tuple[str, dt.datetime]] = []
        if self.profile == "demo":
            self.alerts = demo_script(now)
        elif self.profile == "flaky":
            self.outages["nws"] = Outage(503, until=now + dt.timedelta(minutes=10))

    def base_url(self, source: str) -> str:
        return f"{self.url}{PREFIXES[source]}"

    def integration_attributes(self) -> dict[str, str]:
        """What ``hi demo`` configures the ``weather`` integration with (a point inside coverage)."""
        return {"latitude": "41.8781", "longitude": "-87.6298", "nws_contact": "demo@example.invalid",
                "sources": "nws,openmeteo,sunrise_sunset", "units": "metric",
                "nws_base_url": self.base_url("nws"), "openmeteo_base_url": self.base_url("openmeteo"),
                "sunrise_sunset_base_url": self.base_url("sunrise_sunset")}

    def household_time_zone(self) -> str:
        """The zone of the simulated location (Chicago), which the demo's household uses."""
        return "America/Chicago"

    def fail(self, source: str, status: int = 503, *, seconds: float | None = None, count: int | None = None) -> None:
        until = self.clock() + dt.timedelta(seconds=seconds) if seconds is not None else None
        self.outages[source] = Outage(status, until, count)

    def recover(self, source: str) -> None:
        self.outages.pop(source, None)

    def add_alert(self, event: str, **fields: Any) -> SimAlert:
        alert = SimAlert(event, **fields)
        self.alerts.append(alert)
        return alert

    def clear_alert(self, alert_id: str) -> None:
        self.alerts = [a for a in self.alerts if a.id != alert_id]

    # -- plumbing ------------------------------------------------------------------------------
    def setup_routes(self, app: web.Application) -> None:
        nws = PREFIXES["nws"]
        app.router.add_get(nws + "/points/{point}", self._points)
        app.router.add_get(nws + "/gridpoints/{wfo}/{xy}/forecast", self._forecast)
        app.router.add_get(nws + "/gridpoints/{wfo}/{xy}/forecast/hourly", self._forecast_hourly)
        app.router.add_get(nws + "/gridpoints/{wfo}/{xy}/stations", self._stations)
        app.router.add_get(nws + "/stations/{station}/observations/latest", self._observation)
        app.router.add_get(nws + "/alerts/active", self._alerts)
        app.router.add_get(PREFIXES["openmeteo"] + "/v1/forecast", self._openmeteo)
        app.router.add_get(PREFIXES["sunrise_sunset"] + "/json", self._sunrise)
        app.router.add_post("/_sim/weather", self._control)

    def _count(self, source: str) -> None:
        self.counts[source] += 1
        self.request_times.append((source, self.clock()))

    def _outage(self, source: str) -> Outage | None:
        outage = self.outages.get(source)
        if outage is None:
            return None
        if outage.until is not None and self.clock() >= outage.until:
            self.outages.pop(source, None)
            return None
        if outage.remaining is not None:
            if outage.remaining <= 0:
                self.outages.pop(source, None)
                return None
            outage.remaining -= 1
        return outage

    @staticmethod
    def _problem(status: int, title: str, detail: str) -> web.Response:
        return web.json_response({"type": "https://api.weather.gov/problems/" + title.replace(" ", ""),
                                  "title": title, "status": status, "detail": detail},
                                 status=status, content_type="application/problem+json")

    def _nws_gate(self, request: web.Request, allowed: frozenset[str] = frozenset()) -> web.Response | None:
        self._count("nws")
        outage = self._outage("nws")
        if outage is not None:
            return self._problem(outage.status, "Service Unavailable", "The service is temporarily unavailable.")
        if not request.headers.get("User-Agent"):
            return self._problem(403, "Forbidden", "A User-Agent header with contact information is required.")
        unknown = set(request.query) - allowed
        if unknown:
            return self._problem(400, "Bad Request", f"Query parameter \"{sorted(unknown)[0]}\" is not recognized")
        return None

    def _nws_base(self, request: web.Request) -> str:
        return f"{request.scheme}://{request.host}{PREFIXES['nws']}"

    def _covered(self, lat: float, lon: float) -> bool:
        lat_min, lat_max, lon_min, lon_max = self.coverage
        return lat_min <= lat <= lat_max and lon_min <= lon <= lon_max

    async def _points(self, request: web.Request) -> web.Response:
        if (refused := self._nws_gate(request)) is not None:
            return refused
        match = _POINT.match(request.match_info["point"])
        if match is None:
            return self._problem(400, "Invalid Parameter", "Parameter \"point\" is invalid (at most 4 decimals)")
        lat, lon = float(match[1]), float(match[2])
        if not self._covered(lat, lon):
            return self._problem(404, "Data Unavailable For Requested Point",
                                 f"Unable to provide data for requested point {lat},{lon}")
        base = self._nws_base(request)
        grid_x, grid_y = round((lon + 180) * 2), round((lat + 90) * 2)
        grid = f"{base}/gridpoints/SIM/{grid_x},{grid_y}"
        return web.json_response({"properties": {
            "@id": f"{base}/points/{lat},{lon}", "gridId": "SIM", "gridX": grid_x, "gridY": grid_y,
            "forecast": grid + "/forecast", "forecastHourly": grid + "/forecast/hourly",
            "forecastGridData": grid, "observationStations": grid + "/stations", "timeZone": "America/Chicago",
            "relativeLocation": {"properties": {"city": "Simville", "state": "SM"}},
        }}, content_type="application/geo+json")

    def _longitude(self, request: web.Request) -> float:
        return float(request.match_info.get("xy", "0,0").split(",")[0]) / 2 - 180

    async def _forecast(self, request: web.Request) -> web.Response:
        return await self._periods(request, hourly=False)

    async def _forecast_hourly(self, request: web.Request) -> web.Response:
        return await self._periods(request, hourly=True)

    async def _periods(self, request: web.Request, hourly: bool) -> web.Response:
        if (refused := self._nws_gate(request, frozenset({"units"}))) is not None:
            return refused
        now = self.clock()
        return web.json_response({"properties": {
            "units": "us", "generatedAt": now.isoformat(), "updateTime": now.isoformat(),
            "periods": nws_periods(now, self._longitude(request), hourly)}}, content_type="application/geo+json")

    async def _stations(self, request: web.Request) -> web.Response:
        if (refused := self._nws_gate(request, frozenset({"limit"}))) is not None:
            return refused
        base = self._nws_base(request)
        return web.json_response({"features": [
            {"id": f"{base}/stations/{STATION}", "properties": {"stationIdentifier": STATION, "name": "Sim Airport"}},
            {"id": f"{base}/stations/KSM2", "properties": {"stationIdentifier": "KSM2", "name": "Sim Field"}},
        ]}, content_type="application/geo+json")

    async def _observation(self, request: web.Request) -> web.Response:
        if (refused := self._nws_gate(request, frozenset({"require_qc"}))) is not None:
            return refused
        station = request.match_info["station"]
        return web.json_response(nws_observation(station, self._nws_base(request), self.observation, self.clock(), -90.0),
                                 content_type="application/geo+json")

    async def _alerts(self, request: web.Request) -> web.Response:
        allowed = frozenset({"point", "area", "zone", "event", "severity", "urgency", "certainty", "status",
                             "message_type", "limit"})
        if (refused := self._nws_gate(request, allowed)) is not None:
            return refused
        now = self.clock()
        base = self._nws_base(request)
        features = [alert.feature(base, now) for alert in self.alerts if alert.active(now)]
        return web.json_response({"type": "FeatureCollection", "features": features, "title": "Current watches, "
                                  "warnings, and advisories", "updated": now.isoformat()},
                                 content_type="application/geo+json")

    async def _openmeteo(self, request: web.Request) -> web.Response:
        self._count("openmeteo")
        outage = self._outage("openmeteo")
        if outage is not None:
            return web.json_response({"error": True, "reason": "Service unavailable"}, status=outage.status)
        minute = self.clock().strftime("%Y-%m-%dT%H:%M")
        used = self._openmeteo_minute[1] + 1 if self._openmeteo_minute[0] == minute else 1
        self._openmeteo_minute = (minute, used)
        if used > self.openmeteo_per_minute:
            return web.json_response({"error": True, "reason": "Minutely API request limit exceeded. "
                                      "Please try again in one minute."}, status=429)
        query = request.query
        try:
            lat, lon = float(query["latitude"]), float(query["longitude"])
        except (KeyError, ValueError):
            return web.json_response({"error": True, "reason": "Parameter 'latitude' and 'longitude' required"},
                                     status=400)
        lists = {name: [v for v in query.get(name, "").split(",") if v] for name in ("current", "hourly", "daily")}
        for name, known in (("current", OPENMETEO_CURRENT), ("hourly", OPENMETEO_CURRENT), ("daily", OPENMETEO_DAILY)):
            bad = [v for v in lists[name] if v not in known]
            if bad:
                return web.json_response({"error": True, "reason": f"Data corrupted at path ''. Cannot initialize "
                                          f"ForecastVariable{name.title()} from invalid String value {bad[0]}."},
                                         status=400)
        days = int(query.get("forecast_days", "7"))
        return web.json_response(openmeteo_forecast(self.clock(), lat, lon, lists["current"], lists["hourly"],
                                                    lists["daily"], days))

    async def _sunrise(self, request: web.Request) -> web.Response:
        self._count("sunrise_sunset")
        outage = self._outage("sunrise_sunset")
        if outage is not None:
            return web.Response(status=outage.status, text="Service Unavailable")
        query = request.query
        try:
            lat, lng = float(query["lat"]), float(query["lng"])
            day = dt.date.fromisoformat(query.get("date", self.clock().date().isoformat()))
        except (KeyError, ValueError):
            return web.json_response({"results": "", "status": "INVALID_REQUEST"})
        if self.sun_status != "OK" or not (-90 <= lat <= 90 and -180 <= lng <= 180):
            return web.json_response({"results": "", "status": self.sun_status if self.sun_status != "OK"
                                      else "INVALID_REQUEST"})
        return web.json_response({"results": sunrise_sunset_results(day, lat, lng), "status": "OK", "tzid": "UTC"})

    async def _control(self, request: web.Request) -> web.Response:
        """POST {"fail": "nws", "status": 503, "seconds": 600} | {"recover": "nws"} | {"alert": {...}}."""
        try:
            body = await request.json()
            if "fail" in body:
                self.fail(body["fail"], int(body.get("status", 503)), seconds=body.get("seconds"), count=body.get("count"))
            if "recover" in body:
                self.recover(body["recover"])
            if "alert" in body:
                spec = dict(body["alert"])
                minutes = float(spec.pop("minutes", 15))
                spec["expires"] = self.clock() + dt.timedelta(minutes=minutes)
                alert = self.add_alert(spec.pop("event"), **spec)
                return web.json_response({"id": alert.id})
            if "clear_alert" in body:
                self.clear_alert(body["clear_alert"])
        except (ValueError, KeyError, TypeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"outages": sorted(self.outages), "alerts": [a.id for a in self.alerts]})
