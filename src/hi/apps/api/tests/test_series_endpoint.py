"""/states/{id}/series: raw readings for a recent short range, hourly aggregates for an old or long one
(where the raw readings are pruned already), equal to what the readings were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.ops import retention
from hi.apps.ops.rollup import aggregate_pending
from hi.apps.sense.models import SensorHistory

pytestmark = pytest.mark.django_db


def test_recent_short_range_is_raw(api):
    device = make_device("thermo", S.TEMPERATURE)
    now = timezone.now()
    SensorHistory.objects.bulk_create([SensorHistory(sensor=device.sensor, response_at=now - dt.timedelta(minutes=m),
                                                     value=float(m)) for m in (50, 30, 10)])
    body = api.get(f"/api/v1/states/{device.state.id}/series", {"since": (now - dt.timedelta(hours=1)).isoformat()})
    assert body.status_code == 200, body.content
    body = body.json()
    assert body["resolution"] == "raw" and not body["truncated"]
    assert [p["value"] for p in body["points"]] == [50.0, 30.0, 10.0]  # oldest first


def test_old_range_is_served_from_the_aggregates_after_raw_is_pruned(api):
    device = make_device("thermo", S.TEMPERATURE)
    hour = (timezone.now() - dt.timedelta(days=60)).replace(minute=0, second=0, microsecond=0)
    SensorHistory.objects.bulk_create([SensorHistory(sensor=device.sensor, response_at=hour + dt.timedelta(minutes=m),
                                                     value=v) for m, v in ((5, 10.0), (25, 14.0), (45, 12.0))])
    aggregate_pending()
    retention.prune(pause=0, duty=1)
    assert not SensorHistory.objects.exists()
    query = {"since": hour.isoformat(), "until": (hour + dt.timedelta(hours=2)).isoformat()}
    body = api.get(f"/api/v1/states/{device.state.id}/series", query).json()
    assert body["resolution"] == "1h"
    assert body["points"] == [{"at": hour.isoformat(), "value": 12.0, "min": 10.0, "max": 14.0, "count": 3}]
    history = api.get(f"/api/v1/states/{device.state.id}/history").json()
    assert history["count"] == 0  # the raw endpoint has nothing left for that range


def test_a_year_is_bucketed_and_bad_ranges_are_refused(api):
    device = make_device("thermo", S.TEMPERATURE)
    body = api.get(f"/api/v1/states/{device.state.id}/series",
                   {"since": (timezone.now() - dt.timedelta(days=365)).isoformat(), "max_points": 100}).json()
    assert body["resolution"] != "raw" and body["points"] == []
    now = timezone.now().isoformat()
    assert api.get(f"/api/v1/states/{device.state.id}/series", {"since": now, "until": now}).status_code == 400
    assert api.get(f"/api/v1/states/{device.state.id}/series", {"since": "yesterday-ish"}).status_code == 400
    assert api.get("/api/v1/states/999999/series").status_code == 404
