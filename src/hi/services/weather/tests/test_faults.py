"""The shared fault harness, aimed at one source's path prefix: that source fails alone, cleanly."""

from __future__ import annotations

import pytest

from hi.services.weather.service import WeatherService
from hi.simulator.weather import WeatherSimulator
from hi.simulator.weather.server import PREFIXES

from .conftest import SimClock

FAULTS = [
    ("non_json", {}),
    ("truncated_json", {}),
    ("schema_drift", {"remove": ["properties", "current", "sunrise"]}),
    ("reset", {"after_bytes": 16}),
    ("error_burst", {"status": 502}),
    ("rate_limit", {"retry_after": None}),
]


@pytest.mark.parametrize("source", ["nws", "openmeteo", "sunrise_sunset"])
@pytest.mark.parametrize(("fault", "params"), FAULTS, ids=[name for name, _ in FAULTS])
def test_a_fault_on_one_source_leaves_the_others_serving(service: WeatherService, sim: WeatherSimulator,
                                                         source: str, fault: str, params: dict) -> None:
    sim.faults.set(fault, paths=[PREFIXES[source]], **params)
    snapshot = service.refresh()
    assert snapshot.sources[source].state == "failing", snapshot.sources[source]
    assert all(status.state == "ok" for name, status in snapshot.sources.items() if name != source)
    assert snapshot.values["temperature"].stale is False
    assert snapshot.serving == ("openmeteo" if source == "nws" else "nws")


def test_refused_connections_everywhere_keep_the_last_good_data(service: WeatherService, sim: WeatherSimulator,
                                                                clock: SimClock) -> None:
    good = service.refresh()
    sim.faults.set("refuse")
    clock.advance(hours=13)
    snapshot = service.refresh()
    assert {status.state for status in snapshot.sources.values()} == {"failing"}
    assert snapshot.values["humidity"].stale and snapshot.values["humidity"].value in {
        r.current["humidity"].value for r in good.reports if "humidity" in r.current}
