"""Shared fixtures: the generic simulator on real loopback sockets, a fake clock, fresh registries."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from hi.integrations.client import FakeClock, RetryPolicy
from hi.simulator.generic import GenericSimulator

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.1, max_delay=1.0, budget=20.0, retry_after_cap=10.0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim() -> Iterator[GenericSimulator]:
    """The simulator on its own loop in a thread (for the sync client)."""
    simulator = GenericSimulator()
    with simulator.running_in_thread():
        yield simulator


@pytest.fixture
async def asim() -> AsyncIterator[GenericSimulator]:
    """The simulator on the test's own event loop (for the async clients)."""
    simulator = GenericSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()
