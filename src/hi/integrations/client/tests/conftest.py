"""Shared fixtures: the generic simulator on real loopback sockets, a fake clock, fresh registries."""

from __future__ import annotations

import pytest

from hi.integrations.client import FakeClock, RetryPolicy
from hi.simulator.testing import *  # noqa: F403 - sim (threaded) and asim (on the test loop)

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.1, max_delay=1.0, budget=20.0, retry_after_cap=10.0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
