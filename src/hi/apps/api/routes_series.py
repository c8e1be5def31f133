"""A state's readings over any range: raw for recent short ranges, hourly aggregates for old or long ones.

Raw readings are pruned after their retention (30 days by default) and only their hourly
aggregates remain, so ``/states/{id}/history`` (every raw reading) cannot answer for last year.
This endpoint picks like the charts do: every reading for a range up to 24 hours whose readings are
all still kept, else buckets of the hourly min/mean/max (plus the raw readings of the hours not
summarised yet), at most ``max_points`` of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from hi.apps.entity.models import EntityState
from hi.apps.ops.retention import cutoffs
from hi.apps.ops.series import aggregated_series, use_aggregates
from hi.apps.sense.models import SensorHistory
from hi.operations.queries import BadInput, NotFound, parse_when

from .schemas import Problem
from .serializers import iso

router = Router()


class SeriesQuery(Schema):
    since: str | None = Field(None, description="ISO 8601; default 24 hours before until")
    until: str | None = Field(None, description="ISO 8601; default now")
    max_points: int = Field(2000, ge=1, le=10000)


class SeriesPoint(Schema):
    at: str
    value: Any = Field(..., description="the reading, or the bucket's mean")
    min: float | None = None
    max: float | None = None
    count: int | None = None


class SeriesOut(Schema):
    state_id: int
    since: str
    until: str
    resolution: str = Field(..., description="raw, or the bucket width such as 1h or 24h")
    truncated: bool
    points: list[SeriesPoint]


def _raw_is_complete(since: dt.datetime) -> bool:
    """Whether no reading at or after ``since`` can have been pruned yet."""
    cut = cutoffs().get("sensor_history")
    return cut is None or since >= cut


@router.get("/states/{state_id}/series", response={200: SeriesOut, 400: Problem, 404: Problem}, tags=["entities"],
            summary="Readings over a range; hourly min/mean/max for long or pruned ranges")
def state_series(request: HttpRequest, state_id: int, query: Query[SeriesQuery]) -> Any:
    if not EntityState.objects.filter(pk=state_id).exists():
        raise NotFound(f"no state {state_id}")
    until = parse_when(query.until, "until") if query.until else timezone.now()
    since = parse_when(query.since, "since") if query.since else until - dt.timedelta(hours=24)
    if since >= until:
        raise BadInput("since must be before until")
    if use_aggregates(since, until) or not _raw_is_complete(since):
        buckets = aggregated_series(state_id, since, until, query.max_points)
        width = (buckets[1].at - buckets[0].at) if len(buckets) > 1 else dt.timedelta(hours=1)
        points = [{"at": iso(b.at), "value": b.mean, "min": b.minimum, "max": b.maximum, "count": b.count}
                  for b in buckets]
        resolution, truncated = f"{max(1, round(width / dt.timedelta(hours=1)))}h", False
    else:
        rows = list(SensorHistory.objects.filter(sensor__entity_state_id=state_id, response_at__gte=since,
                                                 response_at__lt=until)
                    .order_by("-response_at", "-id").values_list("response_at", "value")[:query.max_points + 1])
        truncated = len(rows) > query.max_points
        rows = rows[:query.max_points]
        rows.reverse()
        points, resolution = [{"at": iso(at), "value": value} for at, value in rows], "raw"
    return {"state_id": state_id, "since": iso(since), "until": iso(until), "resolution": resolution,
            "truncated": truncated, "points": points}
