"""Pytest fixtures for the generic simulator (``hi.simulator.generic``), shared by the simulator's own tests
and the client layer's; import them into a conftest.py:

    from hi.simulator.testing import *  # noqa: F403
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from .generic import GenericSimulator

__all__ = ["asim", "sim"]


@pytest.fixture
def sim() -> Iterator[GenericSimulator]:
    """The simulator on its own loop in a thread (for synchronous clients)."""
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
