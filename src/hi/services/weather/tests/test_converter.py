"""Snapshot → SensorResponses: units, freshness, provenance, and which alerts start or end."""

from __future__ import annotations

import datetime as dt

from hi.services.weather.converter import alert_responses, freshness, snapshot_responses
from hi.services.weather.merge import MergedValue
from hi.services.weather.service import SourceStatus, WeatherSnapshot
from hi.services.weather.sources.base import Alert

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def merged(field: str, value: object, stale: bool = False, source: str = "nws") -> MergedValue:
    return MergedValue(field, value, source, NOW - dt.timedelta(minutes=20), stale)


def by_state(responses: list) -> dict[str, object]:
    return {r.integration_key.integration_name.split(".", 1)[1]: r for r in responses}


def test_imperial_units_convert_temperatures_speeds_pressure_and_forecasts() -> None:
    values = {"temperature": merged("temperature", 20.0), "wind_speed": merged("wind_speed", 16.09344),
              "pressure": merged("pressure", 1013.25),
              "forecast_daily": merged("forecast_daily", [{"date": "2026-06-01", "temperature_max": 30.0}])}
    responses = by_state(snapshot_responses(WeatherSnapshot(NOW, values, {}), "imperial", {}))
    assert responses["temperature"].value == 68.0 and responses["wind_speed"].value == 10.0
    assert responses["pressure"].value == 29.92
    assert responses["forecast_daily"].value == [{"date": "2026-06-01", "temperature_max": 86.0}]
    assert responses["temperature"].source == "nws" and responses["temperature"].detail_attrs["age_seconds"] == 1200


def test_freshness_says_whether_current_conditions_are_stale() -> None:
    assert freshness({}) == "none"
    assert freshness({"temperature": merged("temperature", 1.0)}) == "current"
    assert freshness({"temperature": merged("temperature", 1.0, stale=True),
                      "humidity": merged("humidity", 50.0)}) == "partly stale"
    assert freshness({"temperature": merged("temperature", 1.0, stale=True)}) == "stale"


def test_provenance_lists_each_value_source_and_staleness() -> None:
    values = {"temperature": merged("temperature", 20.0, stale=True, source="openmeteo")}
    provenance = by_state(snapshot_responses(WeatherSnapshot(NOW, values, {"nws": SourceStatus("nws")}),
                                             "metric", {}))["provenance"].value
    assert provenance == {"temperature": {"source": "openmeteo", "observed_at": "2026-06-01T11:40:00+00:00",
                                          "stale": True}}


def alert(alert_id: str, hours: float = 1) -> Alert:
    return Alert(id=alert_id, event="Heat Advisory", severity="Moderate", urgency="Expected",
                 expires=NOW + dt.timedelta(hours=hours))


def test_new_alerts_start_vanished_ones_end_and_the_summary_comes_last() -> None:
    responses = alert_responses([alert("new")], {"gone": {"event": "Fog", "expires": None}}, "nws", NOW)
    roles = [(r.correlation.role, r.correlation.correlation_id) if r.correlation else None for r in responses]
    assert roles == [("end", "gone"), ("start", "new"), None]
    assert responses[1].detail_attrs["level"] == "info" and responses[2].value[0]["id"] == "new"


def test_while_alerts_are_unknown_only_expired_ones_end_at_their_expiry() -> None:
    expired = (NOW - dt.timedelta(minutes=5)).isoformat()
    later = (NOW + dt.timedelta(minutes=5)).isoformat()
    responses = alert_responses(None, {"old": {"expires": expired}, "live": {"expires": later}}, "", NOW)
    assert [(r.correlation.correlation_id, r.timestamp) for r in responses] == [("old", NOW - dt.timedelta(minutes=5))]
