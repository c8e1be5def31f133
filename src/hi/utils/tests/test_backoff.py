"""The one backoff formula: exponential, capped, and as much jitter as the caller asks for."""

from __future__ import annotations

from hi.utils.backoff import Backoff


def test_the_ceiling_doubles_from_base_and_is_capped():
    backoff = Backoff(base=0.5, maximum=6.0)
    assert [backoff.ceiling(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 6.0, 6.0]
    assert backoff.ceiling(10_000) == 6.0, "a long outage must not overflow"


def test_the_floor_sets_the_jitter():
    highest, lowest = (lambda low, high: high), (lambda low, high: low)
    assert Backoff(1.0, 60.0, floor=0.0).delay(3, lowest) == 0.0  # full jitter
    assert Backoff(1.0, 60.0, floor=0.5).delay(3, lowest) == 2.0  # half jitter
    assert Backoff(1.0, 60.0, floor=0.5).delay(3, highest) == 4.0
    assert Backoff(1.0, 60.0, floor=1.0).delay(3, lowest) == 4.0  # none
