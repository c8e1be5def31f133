"""sunrise-sunset.org: today's sunrise and sunset; asked about once a day (astronomy barely changes)."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from hi.integrations.client import validation
from hi.integrations.exceptions import RequestError

from .base import Fetch, RateLimit, Reading, SourceReport, SourceSpec, WeatherSource


class SunResults(BaseModel):
    model_config = ConfigDict(extra="ignore")
    sunrise: dt.datetime
    sunset: dt.datetime
    solar_noon: dt.datetime | None = None
    day_length: int | str | None = None


class SunResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")
    status: str
    results: SunResults | str | None = None


def parse(payload: object) -> SunResults:
    """The HTTP status is not enough: a 200 may carry ``status`` INVALID_REQUEST and no results."""
    response = validation.parse(SunResponse, payload, what="sunrise-sunset")
    if response.status != "OK" or not isinstance(response.results, SunResults):
        raise RequestError(f"sunrise-sunset answered status {response.status}",
                           transient=not response.status.startswith("INVALID"))
    return response.results


def solar_date(longitude: float, now: dt.datetime) -> dt.date:
    """The local calendar date, approximated from longitude, so no time-zone lookup is needed."""
    return (now + dt.timedelta(hours=longitude / 15.0)).date()


class SunriseSunsetSource(WeatherSource):
    spec: ClassVar[SourceSpec] = SourceSpec(
        name="sunrise_sunset", label="sunrise-sunset.org", priority=30,
        default_base_url="https://api.sunrise-sunset.org",
        rate_limits=(RateLimit(max_requests=6, per_seconds=3600),),
        cache_seconds={"sun": 12 * 3600},
        stale_after_seconds={"sun": 36 * 3600}, specialties=frozenset({"sun"}),
    )

    def collect(self, fetch: Fetch, now: dt.datetime) -> SourceReport:
        day = solar_date(self.settings.longitude, now).isoformat()
        params = {"lat": f"{self.settings.latitude:.4f}", "lng": f"{self.settings.longitude:.4f}",
                  "date": day, "formatted": "0"}
        fetched = fetch("sun", f"{self.settings.base_url}/json", params, cache_key=f"sun:{day}", validate=parse)
        results = parse(fetched.payload)
        report = SourceReport(source=self.spec.name)
        report.sunrise = Reading(value=results.sunrise.astimezone(dt.UTC).isoformat(), observed_at=fetched.fetched_at)
        report.sunset = Reading(value=results.sunset.astimezone(dt.UTC).isoformat(), observed_at=fetched.fetched_at)
        if fetched.failed:
            report.failing.add("sun")
        return report


SOURCE = SunriseSunsetSource
