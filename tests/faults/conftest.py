"""The fault suite: hi against the simulators over real loopback sockets, with the faults the issue
reproduced by hand (peer restarts, concurrent control, stale workers, allowlist changes, kills).

Every test here carries the ``fault`` marker and runs in ``make test`` within a small time budget;
``HI_FAULT_LONG=1`` turns on the longer variants (outages and soaks measured in tens of seconds).
"""

from __future__ import annotations

import os

import pytest

from hi.services.hass.testing import *  # noqa: F403 - the pipeline cleanup (autouse), sim, threaded_sim

LONG = os.environ.get("HI_FAULT_LONG", "") not in ("", "0")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.fault)
