"""Server time of a year-long chart (target ≤ 150 ms) for a sensor that reported every 10 s.

After retention that sensor holds 30 days of raw readings (259,200 rows) and hourly aggregates for
the year; the chart's JSON endpoint reads the aggregates and the readings of the hours not yet
summarised. Times the view through Django's test client (no network), ``--repeat`` times.

    python bench/year_chart.py [--every 10] [--repeat 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _support import setup_django


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=10, help="seconds between readings")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hi-bench-chart-"))
    try:
        setup_django(data_dir)
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client
        from django.utils import timezone

        from hi.apps.entity.models import Entity, EntityState
        from hi.apps.ops.models import SensorHourly
        from hi.apps.ops.rollup import AGGREGATED_THROUGH, aggregate_pending, floor_hour, set_marker
        from hi.apps.sense.models import Sensor

        settings.ALLOWED_HOSTS = ["testserver"]
        entity = Entity.objects.create(name="Hall", integration_id="bench", integration_name="hall")
        state = EntityState.objects.create(entity=entity, state_key="t", name="Temperature", state_type="temperature",
                                           value=21.0)
        sensor = Sensor.objects.create(entity_state=state, name="t", integration_id="bench", integration_name="t")
        now = timezone.now()
        raw_start = floor_hour(now - dt.timedelta(days=30))
        year_start = floor_hour(now - dt.timedelta(days=365))
        hours = int((raw_start - year_start).total_seconds() // 3600)
        SensorHourly.objects.bulk_create([SensorHourly(sensor=sensor, hour=year_start + dt.timedelta(hours=h), count=360,
                                                       minimum=18.0, maximum=24.0, total=360 * 21.0)
                                          for h in range(hours)], batch_size=2000)
        set_marker(AGGREGATED_THROUGH, raw_start)
        raw = int((now - raw_start).total_seconds() // args.every)
        import sqlite3

        connection.close()
        db = sqlite3.connect(connection.settings_dict["NAME"])
        db.executemany("INSERT INTO sense_sensorhistory (sensor_id, value, response_at, details) VALUES (?, ?, ?, NULL)",
                       [(sensor.id, str(20 + (n % 40) / 10),
                         str((raw_start + dt.timedelta(seconds=n * args.every)).replace(tzinfo=None))) for n in range(raw)])
        db.commit()
        db.close()
        began = time.perf_counter()
        aggregate_pending()
        print(f"setup: {hours:,} stored hours + {raw:,} raw readings (every {args.every} s for 30 days); "
              f"aggregating those took {time.perf_counter() - began:.1f} s")
        user = get_user_model().objects.create_user("bench", password="bench password 1")
        client = Client()
        client.force_login(user)
        url = f"/entities/{entity.id}/history.json?state={state.id}&period=1y"
        timings, cpu = [], []
        for _ in range(args.repeat + 1):
            began, cpu_began = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - cpu_began) * 1000)
            assert response.status_code == 200, response.status_code
        body = response.json()
        timings, cpu = sorted(timings[1:]), sorted(cpu[1:])  # the first request warms caches
        print(f"1y chart: {len(body['points'])} points (aggregated={body.get('aggregated')}); server time "
              f"median {statistics.median(timings):.0f} ms, max {timings[-1]:.0f} ms over {args.repeat} requests "
              f"(target <= 150 ms: {'met' if statistics.median(timings) <= 150 else 'NOT met'}); "
              f"cpu time median {statistics.median(cpu):.0f} ms (load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cpus)")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
