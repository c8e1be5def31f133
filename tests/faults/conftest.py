"""The fault suite: hi against the simulators over real loopback sockets, with the faults the issue
reproduced by hand (peer restarts, concurrent control, stale workers, allowlist changes, kills).

Every test here carries the ``fault`` marker and runs in ``make test`` within a small time budget;
``HI_FAULT_LONG=1`` turns on the longer variants (outages and soaks measured in tens of seconds).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from hi.simulator.hass import HassSimulator

LONG = os.environ.get("HI_FAULT_LONG", "") not in ("", "0")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.fault)


@pytest.fixture(autouse=True)
def _close_pipeline_connection() -> Iterator[None]:
    """The pipeline's thread holds a database connection; close it so PostgreSQL can drop the test DB."""
    yield
    from hi.apps.sense.pipeline import get_pipeline

    get_pipeline().shutdown()


@pytest_asyncio.fixture
async def hass_sim() -> AsyncIterator[HassSimulator]:
    """The demo home, quiet (no simulated activity), on this test's event loop."""
    simulator = HassSimulator(activity=False)
    await simulator.start()
    try:
        yield simulator
    finally:
        simulator.release_stall()
        await simulator.stop()
