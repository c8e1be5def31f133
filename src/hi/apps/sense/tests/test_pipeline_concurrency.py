"""Two batches on the same sensors at once (PostgreSQL, where writers do not queue as on SQLite):
the batch that waited for the other's locks works on what that batch recorded."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, connections, transaction

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.entity.tests.factories import make_device
from hi.apps.sense.live.bus import LiveBus
from hi.apps.sense.models import SensorHistory
from hi.apps.sense.pipeline import SensorResponsePipeline
from hi.integrations.keys import IntegrationKey
from hi.integrations.sensor_response import SensorResponse

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db(transaction=True)


def response(value: str, seconds: float) -> SensorResponse:
    return SensorResponse(IntegrationKey("test", "lamp"), value, T0 + dt.timedelta(seconds=seconds))


def _waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def _until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the second batch never waited for the first one's locks"
        time.sleep(0.01)


def test_a_late_report_that_waited_for_the_batch_recording_it_is_not_stored_twice() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers before any row is read")
    device = make_device("lamp", S.ON_OFF, value="off")
    pipeline = SensorResponsePipeline(LiveBus())
    errors: list[BaseException] = []

    def late_monitor() -> None:
        try:
            pipeline.process([response("on", 1)])  # the live monitor's report of the control's change
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    second = threading.Thread(target=late_monitor)
    with transaction.atomic():
        pipeline.process([response("on", 1), response("off", 2)])  # a control's answer, then a newer change
        second.start()
        _until(_waiting_for_a_lock)
    second.join(timeout=10)

    assert not second.is_alive() and not errors, errors
    assert sorted(SensorHistory.objects.values_list("response_at", "value")) == [
        (T0 + dt.timedelta(seconds=1), "on"), (T0 + dt.timedelta(seconds=2), "off")]
    device.state.refresh_from_db()
    assert device.state.value == "off"  # the older report does not win over the newer change
