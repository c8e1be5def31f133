"""The worker's maintenance pass on a real database, and the systemd notifications over a real socket."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import threading

import pytest
from django.utils import timezone

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.monitor.models import WorkerHeartbeat
from hi.apps.ops.maintenance import Maintenance, _heartbeat_fresh, maintenance_pass
from hi.apps.ops.models import SensorHourly
from hi.apps.ops.sdnotify import notify, watchdog_interval
from hi.apps.sense.models import SensorHistory
from hi.utils.clock import Clock

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_one_pass_aggregates_then_prunes_in_its_own_thread(monkeypatch):
    monkeypatch.setenv("HI_BACKUP_INTERVAL_HOURS", "0")
    device = make_device("thermo", S.TEMPERATURE)
    start = NOW - dt.timedelta(days=31)
    SensorHistory.objects.bulk_create([SensorHistory(sensor=device.sensor, value=float(n),
                                                     response_at=start + dt.timedelta(minutes=10 * n))
                                       for n in range(24 * 6 * 2)])  # two days, every 10 minutes
    results: list = []
    thread = threading.Thread(target=lambda: results.append(maintenance_pass(now=NOW)))
    thread.start()
    thread.join()
    result = results[0]
    assert result["aggregated_hours"] == 48 and result["backup"] is None
    assert result["statistics"]["vendor"] in {"sqlite", "postgresql"}  # SQLite: ANALYZE, bounded; PostgreSQL: autovacuum
    assert result["pruned"] == {"sensor_history": 6 * 24}  # the day older than 30 days; the next one stays
    assert SensorHourly.objects.count() == 48
    assert SensorHistory.objects.count() == 6 * 24


@pytest.fixture
def notify_socket(tmp_path, monkeypatch):
    path = tmp_path / "notify"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield sock
    sock.close()


def test_notify_reaches_the_socket_and_is_silent_without_one(notify_socket, monkeypatch):
    assert notify("READY=1")
    assert notify_socket.recv(100) == b"READY=1"
    monkeypatch.delenv("NOTIFY_SOCKET")
    assert not notify("READY=1")


def test_watchdog_interval_is_half_the_period(monkeypatch):
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", "1")  # meant for another process
    assert watchdog_interval() is None


@pytest.mark.django_db(transaction=True)
def test_heartbeat_freshness_decides_the_watchdog():
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="h:1", hostname="h", pid=1, started_at=now, heartbeat_at=now)
    WorkerHeartbeat.objects.create(worker_id="h:2", hostname="h", pid=2, started_at=now,
                                   heartbeat_at=now - dt.timedelta(minutes=5))
    assert _heartbeat_fresh("h:1", 30) and not _heartbeat_fresh("h:2", 30) and not _heartbeat_fresh("h:3", 30)


class _Supervisor:
    clock = Clock()
    heartbeat_interval = 10.0
    worker_id = "h:7"


@pytest.mark.django_db(transaction=True)
async def test_watchdog_is_fed_while_the_heartbeat_is_fresh(notify_socket, monkeypatch):
    from asgiref.sync import sync_to_async

    monkeypatch.setenv("WATCHDOG_USEC", "100000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    now = timezone.now()
    await sync_to_async(WorkerHeartbeat.objects.create)(worker_id="h:7", hostname="h", pid=7, started_at=now,
                                                        heartbeat_at=now)
    maintenance = Maintenance(_Supervisor(), first_delay=3600)
    task = asyncio.create_task(maintenance.run())
    loop = asyncio.get_running_loop()
    notify_socket.setblocking(False)
    messages = [await asyncio.wait_for(loop.sock_recv(notify_socket, 100), 5) for _ in range(2)]
    maintenance.stop()
    await task
    await sync_to_async(_close_connection)()  # the connection sync_to_async's thread opened
    assert messages == [b"READY=1", b"WATCHDOG=1"]


def _close_connection() -> None:
    from django.db import connection

    connection.close()
