"""Alarm tests start from a fresh engine (as a restarted process would); severe-weather tests drive the weather
simulator with the weather service's own fixtures."""

from __future__ import annotations

import pytest

from hi.apps.alarm.engine import reset_engine
from hi.services.weather.testing import *  # noqa: F403 - the weather simulator on a manual clock (severe weather)


@pytest.fixture(autouse=True)
def _fresh_engine():
    reset_engine()
    yield
    reset_engine()
