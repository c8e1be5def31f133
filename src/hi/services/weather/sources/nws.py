"""National Weather Service (api.weather.gov): points → stations → latest observation, forecasts, alerts.

US only (a point outside coverage is a 404) and it requires a User-Agent with a contact, so the
contact attribute travels in every request's headers.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from hi.integrations.client.validation import parse
from hi.integrations.exceptions import IntegrationError, RequestError

from ..units import fahrenheit_to_celsius, parse_speed_text, wmo_to_metric
from .base import (
    Alert,
    DailyPoint,
    Fetch,
    Fetched,
    HourlyPoint,
    RateLimit,
    Reading,
    SourceReport,
    SourceSpec,
    WeatherSource,
)

logger = logging.getLogger(__name__)


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PointProperties(_Loose):
    gridId: str
    gridX: int
    gridY: int
    forecast: str
    forecastHourly: str
    observationStations: str
    timeZone: str = "UTC"


class PointResponse(_Loose):
    properties: PointProperties


class StationProperties(_Loose):
    stationIdentifier: str
    name: str = ""


class StationFeature(_Loose):
    properties: StationProperties


class StationsResponse(_Loose):
    features: list[StationFeature]


class Quantity(_Loose):
    unitCode: str = ""
    value: float | None = None


class ObservationProperties(_Loose):
    timestamp: dt.datetime
    textDescription: str | None = None
    temperature: Quantity = Field(default_factory=Quantity)
    dewpoint: Quantity = Field(default_factory=Quantity)
    windSpeed: Quantity = Field(default_factory=Quantity)
    windDirection: Quantity = Field(default_factory=Quantity)
    barometricPressure: Quantity = Field(default_factory=Quantity)
    relativeHumidity: Quantity = Field(default_factory=Quantity)
    visibility: Quantity = Field(default_factory=Quantity)


class ObservationResponse(_Loose):
    properties: ObservationProperties


class PrecipitationChance(_Loose):
    value: float | None = None


class ForecastPeriod(_Loose):
    startTime: dt.datetime
    endTime: dt.datetime
    isDaytime: bool = True
    temperature: float | None = None
    temperatureUnit: str = "F"
    probabilityOfPrecipitation: PrecipitationChance = Field(default_factory=PrecipitationChance)
    windSpeed: str = ""
    windDirection: str = ""
    shortForecast: str = ""
    detailedForecast: str = ""

    def celsius(self) -> float | None:
        if self.temperature is None:
            return None
        return fahrenheit_to_celsius(self.temperature) if self.temperatureUnit.upper() == "F" else self.temperature


class ForecastProperties(_Loose):
    periods: list[ForecastPeriod]
    generatedAt: dt.datetime | None = None


class ForecastResponse(_Loose):
    properties: ForecastProperties


class AlertProperties(_Loose):
    id: str
    event: str
    headline: str | None = None
    severity: str = "Unknown"
    certainty: str = "Unknown"
    urgency: str = "Unknown"
    onset: dt.datetime | None = None
    expires: dt.datetime | None = None
    status: str = "Actual"
    messageType: str = "Alert"
    description: str | None = None
    instruction: str | None = None


class AlertFeature(_Loose):
    properties: AlertProperties


class AlertsResponse(_Loose):
    features: list[AlertFeature]


M = TypeVar("M", bound=BaseModel)


def fetch_model(fetch: Fetch, kind: str, url: str, model: type[M],
                params: Mapping[str, str] | None = None) -> tuple[M, Fetched]:
    """Fetch one ``kind`` through the cache, validated against ``model`` before it may be cached.

    The cache keeps the raw JSON, so the payload is parsed into the model again on the way out.
    """
    what = f"NWS {kind}"
    fetched = fetch(kind, url, params, validate=lambda payload: parse(model, payload, what=what))
    return parse(model, fetched.payload, what=what), fetched


_OBSERVATION_FIELDS: tuple[tuple[str, str], ...] = (
    ("temperature", "temperature"), ("dew_point", "dewpoint"), ("humidity", "relativeHumidity"),
    ("wind_speed", "windSpeed"), ("wind_direction", "windDirection"), ("pressure", "barometricPressure"),
    ("visibility", "visibility"),
)


def observation_readings(obs: ObservationProperties) -> dict[str, Reading]:
    """Null values are left out, so another source can fill them."""
    readings: dict[str, Reading] = {}
    for name, attribute in _OBSERVATION_FIELDS:
        quantity: Quantity = getattr(obs, attribute)
        value = wmo_to_metric(quantity.value, quantity.unitCode)
        if value is not None:
            readings[name] = Reading(value=round(value, 2), observed_at=obs.timestamp)
    if obs.textDescription:
        readings["conditions"] = Reading(value=obs.textDescription, observed_at=obs.timestamp)
    return readings


def hourly_points(periods: list[ForecastPeriod]) -> list[HourlyPoint]:
    return [HourlyPoint(time=p.startTime, temperature=_round(p.celsius()),
                        precipitation_probability=p.probabilityOfPrecipitation.value,
                        wind_speed=_round(parse_speed_text(p.windSpeed)), conditions=p.shortForecast)
            for p in periods]


def daily_points(periods: list[ForecastPeriod]) -> list[DailyPoint]:
    """NWS gives day and night periods; a day's high comes from its daytime, its low from the night."""
    days: dict[dt.date, DailyPoint] = {}
    for period in periods:
        day = days.setdefault(period.startTime.date(), DailyPoint(date=period.startTime.date()))
        chance = period.probabilityOfPrecipitation.value
        if chance is not None:
            day.precipitation_probability = max(chance, day.precipitation_probability or 0)
        if period.isDaytime:
            day.temperature_max = _round(period.celsius())
            day.conditions = period.shortForecast
        else:
            day.temperature_min = _round(period.celsius())
            day.conditions = day.conditions or period.shortForecast
    return list(days.values())


def active_alerts(response: AlertsResponse, now: dt.datetime) -> list[Alert]:
    """Real (not test/exercise) alerts that have not expired or been cancelled."""
    alerts = []
    for feature in response.features:
        p = feature.properties
        if p.status != "Actual" or p.messageType == "Cancel" or (p.expires and p.expires <= now):
            continue
        alerts.append(Alert(id=p.id, event=p.event, headline=p.headline or p.event, severity=p.severity,
                            certainty=p.certainty, urgency=p.urgency, onset=p.onset, expires=p.expires,
                            description=p.description or "", instruction=p.instruction or ""))
    return alerts


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


class NwsSource(WeatherSource):
    spec: ClassVar[SourceSpec] = SourceSpec(
        name="nws", label="National Weather Service", priority=10,
        default_base_url="https://api.weather.gov",
        rate_limits=(RateLimit(max_requests=20, per_seconds=300),),
        cache_seconds={"points": 12 * 3600, "stations": 12 * 3600, "observation": 300,
                       "forecast": 1800, "hourly": 1800, "alerts": 120},
        stale_after_seconds={"current": 2 * 3600, "forecast": 12 * 3600, "alerts": 900, "sun": 36 * 3600},
        needs_contact=True,
    )

    def __post_init__(self) -> None:
        contact = self.settings.contact or "contact not set"
        self.headers = {"User-Agent": f"hi-home-hub/0.1 ({contact})", "Accept": "application/geo+json"}

    @property
    def point(self) -> str:
        return f"{self.settings.latitude:.4f},{self.settings.longitude:.4f}"

    def points(self, fetch: Fetch) -> PointProperties:
        response, _ = fetch_model(fetch, "points", f"{self.settings.base_url}/points/{self.point}", PointResponse)
        return response.properties

    def probe(self, fetch: Fetch) -> str:
        try:
            point = self.points(fetch)
        except RequestError as exc:
            if exc.status_code == 404:
                raise RequestError("this place is outside NWS coverage (US only)", status_code=404) from None
            raise
        return f"{self.spec.label}: grid {point.gridId} {point.gridX},{point.gridY}"

    def collect(self, fetch: Fetch, now: dt.datetime) -> SourceReport:
        """Each part on its own: one failing leaves the others (and what the cache still has) in the report."""
        report = SourceReport(source=self.spec.name)
        point = self.points(fetch)  # without it nothing else can be asked: let the failure propagate
        for part in _PARTS:
            try:
                fetched = part.read(self, fetch, point, now, report)
            except IntegrationError as exc:
                report.errors.append(f"{part.label}: {exc.message}")
                continue
            if fetched is not None and fetched.failed:  # served from the cache after a failed refresh
                report.failing.add(part.section)
        return report


# -- the four parts of a collection, each fetching one kind and filling its section of the report --
def _observation(source: NwsSource, fetch: Fetch, point: PointProperties, now: dt.datetime,
                 report: SourceReport) -> Fetched | None:
    stations, _ = fetch_model(fetch, "stations", point.observationStations, StationsResponse)
    if not stations.features:
        return None
    station_id = stations.features[0].properties.stationIdentifier
    url = f"{source.settings.base_url}/stations/{station_id}/observations/latest"
    obs, fetched = fetch_model(fetch, "observation", url, ObservationResponse)
    report.current = observation_readings(obs.properties)
    return fetched


def _daily(source: NwsSource, fetch: Fetch, point: PointProperties, now: dt.datetime,
           report: SourceReport) -> Fetched:
    forecast, fetched = fetch_model(fetch, "forecast", point.forecast, ForecastResponse)
    report.daily, report.daily_at = daily_points(forecast.properties.periods), fetched.fetched_at
    return fetched


def _hourly(source: NwsSource, fetch: Fetch, point: PointProperties, now: dt.datetime,
            report: SourceReport) -> Fetched:
    hourly, fetched = fetch_model(fetch, "hourly", point.forecastHourly, ForecastResponse)
    report.hourly, report.hourly_at = hourly_points(hourly.properties.periods), fetched.fetched_at
    return fetched


def _alerts(source: NwsSource, fetch: Fetch, point: PointProperties, now: dt.datetime,
            report: SourceReport) -> Fetched:
    alerts, fetched = fetch_model(fetch, "alerts", f"{source.settings.base_url}/alerts/active", AlertsResponse,
                                  {"point": source.point})
    report.alerts, report.alerts_at = active_alerts(alerts, now), fetched.fetched_at
    return fetched


@dataclass(frozen=True)
class _Part:
    label: str  # how an error names it
    section: str  # the report section marked failing when it is served stale
    read: Callable[[NwsSource, Fetch, PointProperties, dt.datetime, SourceReport], Fetched | None]


_PARTS = (
    _Part("observation", "current", _observation),
    _Part("forecast", "forecast", _daily),
    _Part("hourly forecast", "forecast", _hourly),
    _Part("alerts", "alerts", _alerts),
)


SOURCE = NwsSource
