"""The planner's statistics: a plan made without them, the same query once the maintenance refreshed
them (seen from a connection that was already open, as the ingest pipeline's is), and ``hi doctor``."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from django.db import connection

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.event.models import Event
from hi.apps.ops import doctor
from hi.apps.ops.statistics import last_refresh, refresh_statistics

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _events(states: list, closed_per_state: int) -> None:
    rows = []
    for state in states:
        rows += [Event(entity=state.entity, entity_state=state, start=START + dt.timedelta(minutes=n),
                       end=START + dt.timedelta(minutes=n, seconds=30), value="on")
                 for n in range(closed_per_state)]
        rows.append(Event(entity=state.entity, entity_state=state, start=START, value="on"))  # the open one
    Event.objects.bulk_create(rows, batch_size=500)


def _plan(other: sqlite3.Connection, state_ids: list[int]) -> str:
    """The plan of the open-events lookup as it was before ba0cfb8 (correlation in the WHERE clause)."""
    query = Event.objects.filter(entity_state_id__in=state_ids, end__isnull=True, correlation_id="").order_by("start")
    sql, params = query.query.sql_with_params()
    other.execute(sql.replace("%s", "?"), params).fetchall()  # a real query notices a schema change; EXPLAIN does not
    rows = other.execute("EXPLAIN QUERY PLAN " + sql.replace("%s", "?"), params).fetchall()
    return " / ".join(row[-1] for row in rows)


@pytest.mark.django_db(transaction=True)
def test_a_connection_already_open_plans_with_the_refreshed_statistics():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's planner statistics")
    devices = [make_device(f"door {n}", S.MOVEMENT) for n in range(3)]
    states = [d.state for d in devices]
    ids = [s.id for s in states]
    # open before any ANALYZE; no statement cache, so EXPLAIN shows what the connection would plan now
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, cached_statements=0)
    try:
        refresh_statistics()  # the first run: the event table is still empty, so this says nothing about it
        _events(states, 2000)
        assert "event_correlation" in _plan(other, ids)  # every plain event of each state, walked
        result = refresh_statistics()
        assert result["changed"] and result["ran"] in {"ANALYZE", "PRAGMA optimize = 0x10002"}
        assert "event_open_by_state" in _plan(other, ids)  # the long-lived connection noticed
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA analysis_limit")
            assert cursor.fetchone()[0] == 0  # the bound does not stay on a connection used for other work
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE idx = 'event_correlation'")
            assert cursor.fetchone() is not None
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'hi_statistics_reload'")
            assert cursor.fetchone()[0] == 0
    finally:
        other.close()


@pytest.mark.django_db
def test_doctor_shows_the_last_refresh(settings, tmp_path):
    settings.DATA_DIR = tmp_path

    def check() -> doctor.Check:
        return {c.name: c for c in doctor.run_checks(probe=False)}["database.statistics"]

    if connection.vendor != "sqlite":
        assert refresh_statistics()["ran"] is None  # autovacuum's auto-analyze does it
        assert check().status == doctor.PASS and "autovacuum" in check().message
        return
    assert last_refresh() is None
    assert check().status == doctor.WARN and "never refreshed" in check().message
    refresh_statistics()
    assert last_refresh() is not None
    line = check()
    assert line.status == doctor.PASS and line.message.startswith("refreshed 0 min ago in ")


@pytest.mark.django_db(transaction=True)
async def test_the_worker_refreshes_them_when_it_starts():
    """At once, not after the first maintenance delay: a restored or upgraded database may have none."""
    import asyncio

    from asgiref.sync import sync_to_async

    from hi.apps.ops.maintenance import Maintenance
    from hi.utils.clock import Clock

    class Supervisor:
        clock = Clock()
        heartbeat_interval = 10.0
        worker_id = "h:8"

    assert await sync_to_async(last_refresh)() is None
    maintenance = Maintenance(Supervisor(), first_delay=3600)
    task = asyncio.create_task(maintenance.run())
    try:
        async with asyncio.timeout(30):
            await maintenance.started.wait()
    finally:
        maintenance.stop()
        await task
    assert await sync_to_async(last_refresh)() is not None or connection.vendor != "sqlite"
    await sync_to_async(_close_connection)()  # the connection sync_to_async's thread opened


def _close_connection() -> None:
    connection.close()
