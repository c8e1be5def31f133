"""Live-stream caps: per camera, in total, and a fair share per viewer; slots come back exactly once."""

from __future__ import annotations

from hi.integrations.stream_limits import Lease, StreamLimiter


def test_per_camera_and_total_caps_refuse_with_a_reason_and_slots_come_back_once():
    limiter = StreamLimiter(total=3, per_camera=2)
    first, second = limiter.acquire("cam1", "a"), limiter.acquire("cam1", "a")
    assert isinstance(first, Lease) and isinstance(second, Lease)
    assert "this camera" in limiter.acquire("cam1", "a")
    third = limiter.acquire("cam2", "a")
    assert isinstance(third, Lease)
    assert "all 3" in limiter.acquire("cam3", "a")
    first.release()
    first.release()  # a second release (relay end + response close) changes nothing
    assert limiter.status()["in_use"] == 2
    assert isinstance(limiter.acquire("cam3", "a"), Lease)


def test_a_second_viewer_gets_a_fair_share_while_the_first_keeps_what_it_holds():
    limiter = StreamLimiter(total=8, per_camera=2)
    held = [limiter.acquire(f"cam{n}", "wall") for n in range(6)]
    assert all(isinstance(lease, Lease) for lease in held)
    phone = [limiter.acquire(f"cam{n}", "phone") for n in range(6, 10)]
    # two viewers: a share is 4; the phone gets what is left of the total (2), the wall may not grow
    assert [isinstance(lease, Lease) for lease in phone] == [True, True, False, False]
    assert "share" in limiter.acquire("cam11", "wall") or "all 8" in limiter.acquire("cam11", "wall")
    for lease in held:
        lease.release()
    assert limiter.status()["viewers"] == 1


def test_the_limiter_takes_its_caps_from_django_settings(settings):
    settings.HI_CAMERA_STREAMS_TOTAL, settings.HI_CAMERA_STREAMS_PER_CAMERA = 3, 1
    limiter = StreamLimiter.from_settings()
    assert (limiter.total, limiter.per_camera) == (3, 1)
