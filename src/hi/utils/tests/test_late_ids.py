"""LateIds: ids a cursor jumped over are read again until they appear or are given up."""

from __future__ import annotations

import datetime as dt

from hi.utils.late_ids import LateIds


def test_a_skipped_id_is_awaited_and_delivered_when_it_commits_late():
    ids = LateIds(last_id=10, max_window=100, patience=10.0)
    assert ids.observe([11, 13], now=0.0) == []
    assert (ids.last_id, set(ids.awaited), ids.low_water) == (13, {12}, 11)
    assert ids.is_pending(12) and not ids.is_pending(11) and ids.is_pending(14)
    assert ids.observe([12], now=1.0) == []
    assert (ids.awaited, ids.low_water) == ({}, 13)


def test_ids_are_given_up_after_patience_or_beyond_the_window():
    ids = LateIds(last_id=0, max_window=5, patience=10.0)
    ids.observe([3], now=0.0)
    assert set(ids.awaited) == {1, 2}
    assert ids.observe([], now=10.5) == [1, 2], "rolled back: never appears"
    ids.observe([4], now=11.0)
    assert ids.observe([12], now=11.5) == [], "only the last max_window ids below the newest are awaited"
    assert set(ids.awaited) == {8, 9, 10, 11}


def test_a_persisted_cursor_counts_time_in_datetimes_and_newest_extends_the_gap():
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    ids = LateIds(last_id=10, max_window=100, patience=dt.timedelta(minutes=2))
    ids.observe([11], now=start, newest=14)  # the source said 14 exists, but 12-14 were not visible
    assert set(ids.awaited) == {12, 13, 14} and ids.last_id == 14
    assert ids.observe([], now=start + dt.timedelta(minutes=3)) == [12, 13, 14]
    ids.restart_at(50)
    assert (ids.last_id, ids.awaited, ids.low_water) == (50, {}, 50)
