"""Alarm tests start from a fresh engine (as a restarted process would)."""

from __future__ import annotations

import pytest

from hi.apps.alarm.engine import reset_engine


@pytest.fixture(autouse=True)
def _fresh_engine():
    reset_engine()
    yield
    reset_engine()
