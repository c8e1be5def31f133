"""A merged snapshot → SensorResponses, including correlated responses that open and close alert Events.

Timestamps are the poll's moment (monotonic for the pipeline's ordering); when each value was
actually true travels in ``detail_attrs`` and in the ``provenance`` state, with its source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from hi.integrations.sensor_response import Correlation, SensorResponse

from .merge import MergedValue
from .service import WeatherSnapshot
from .sources.base import CURRENT_FIELDS, Alert
from .station import sensor_key
from .units import to_system

_NON_NUMERIC = {"conditions", "sunrise", "sunset"}
_FORECAST_TEMPERATURES = ("temperature", "temperature_max", "temperature_min")


def _display(field: str, value: Any, system: str) -> Any:
    if field in _NON_NUMERIC:
        return value
    if field in {"forecast_hourly", "forecast_daily"}:
        return [_forecast_point(point, system) for point in value]
    return to_system(field, value, system)


def _forecast_point(point: Mapping[str, Any], system: str) -> dict[str, Any]:
    converted = dict(point)
    for name in _FORECAST_TEMPERATURES:
        if name in converted:
            converted[name] = to_system(name, converted[name], system)
    if "wind_speed" in converted:
        converted["wind_speed"] = to_system("wind_speed", converted["wind_speed"], system)
    return converted


def freshness(values: Mapping[str, MergedValue]) -> str:
    current = [values[name] for name in CURRENT_FIELDS if name in values]
    if not current:
        return "none"
    stale = sum(1 for value in current if value.stale)
    return "current" if stale == 0 else "stale" if stale == len(current) else "partly stale"


def alert_details(alert: Alert) -> dict[str, Any]:
    return {"alert_id": alert.id, "event": alert.event, "headline": alert.headline, "severity": alert.severity,
            "certainty": alert.certainty, "urgency": alert.urgency,
            "onset": alert.onset.isoformat() if alert.onset else None,
            "expires": alert.expires.isoformat() if alert.expires else None,
            "description": alert.description, "instruction": alert.instruction,
            "alarm": alert.alarm, "level": "alarm" if alert.alarm else "info"}


def alert_responses(active: list[Alert] | None, open_alerts: Mapping[str, Mapping[str, Any]], source: str,
                    now: dt.datetime) -> list[SensorResponse]:
    """Start every newly active alert; end those gone, or expired when the source cannot currently say."""
    key = sensor_key("alerts")
    responses: list[SensorResponse] = []
    current = {alert.id: alert for alert in active} if active is not None else None
    for alert_id, details in open_alerts.items():
        expires = _parse(details.get("expires"))
        expired = expires is not None and expires <= now
        if expired or (current is not None and alert_id not in current):
            end = min(now, expires) if expired and expires is not None else now
            responses.append(SensorResponse(key, details.get("event", "alert"), end,
                                            {"ended": "expired" if expired else "no longer active"},
                                            Correlation("end", alert_id), source))
    for alert_id, alert in (current or {}).items():
        if alert_id not in open_alerts:
            responses.append(SensorResponse(key, alert.event, now, alert_details(alert),
                                            Correlation("start", alert_id), source))
    if current is not None:
        summary = [{"id": a.id, "event": a.event, "severity": a.severity, "alarm": a.alarm,
                    "expires": a.expires.isoformat() if a.expires else None} for a in current.values()]
        responses.append(SensorResponse(key, summary, now, {"count": len(summary)}, None, source))
    return responses


def _parse(text: Any) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def snapshot_responses(snapshot: WeatherSnapshot, system: str,
                       open_alerts: Mapping[str, Mapping[str, Any]]) -> list[SensorResponse]:
    """Every state's response for one poll; the alert ones last so their summary lands after starts/ends."""
    now = snapshot.taken_at
    responses = []
    for name, merged in snapshot.values.items():
        if name == "alerts":
            continue
        responses.append(SensorResponse(sensor_key(name), _display(name, merged.value, system), now,
                                        merged.provenance(now), None, merged.source))
    provenance = {name: {"source": v.source, "observed_at": v.observed_at.isoformat(), "stale": v.stale}
                  for name, v in snapshot.values.items()}
    responses.append(SensorResponse(sensor_key("provenance"), provenance, now, {"serving": snapshot.serving}))
    responses.append(SensorResponse(sensor_key("freshness"), freshness(snapshot.values), now,
                                    {"serving": snapshot.serving}))
    alerts_value = snapshot.values.get("alerts")
    responses.extend(alert_responses(snapshot.alerts, open_alerts,
                                     alerts_value.source if alerts_value else "", now))
    return responses
