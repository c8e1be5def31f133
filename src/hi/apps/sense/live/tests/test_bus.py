"""The live bus: fan-out to subscribers, thread-safe publishing, bounded queues."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading

from hi.apps.sense.live.bus import RESYNC, LiveBus, StateChange

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def change(value: int) -> StateChange:
    return StateChange(entity_id=1, state_id=2, integration_keys=("toy:a",), value=value, previous_value=None,
                       timestamp=T0)


async def test_async_subscribers_receive_changes_published_from_another_thread():
    bus = LiveBus()
    async with bus.subscribe() as first, bus.subscribe() as second:
        thread = threading.Thread(target=bus.publish, args=([change(1), change(2)],))
        thread.start()
        got_first = [await first.get(timeout=5), await first.get(timeout=5)]
        got_second = [await second.get(timeout=5), await second.get(timeout=5)]
        thread.join()
    assert [c.value for c in got_first] == [1, 2] == [c.value for c in got_second]
    assert bus.subscriber_count == 0


async def test_a_slow_subscriber_gets_one_resync_marker_instead_of_unbounded_growth():
    bus = LiveBus()
    async with bus.subscribe(maxsize=3) as slow:
        bus.publish([change(i) for i in range(10)])
        assert slow.pending() == 1
        assert await slow.get(timeout=1) is RESYNC
        bus.publish([change(99)])
        assert (await slow.get(timeout=1)).value == 99
    assert slow.overflows == 1


async def test_subscriber_of_a_closed_loop_is_dropped():
    bus = LiveBus()
    holder: dict[str, object] = {}

    def other_loop() -> None:
        async def subscribe() -> None:
            holder["sub"] = bus.subscribe()

        asyncio.run(subscribe())

    thread = threading.Thread(target=other_loop)
    thread.start()
    thread.join()
    assert bus.subscriber_count == 1
    bus.publish([change(1)])
    assert bus.subscriber_count == 0


async def test_a_bounded_subscription_and_the_json_shape():
    bus = LiveBus()
    async with bus.subscribe(maxsize=2) as subscription:
        bus.publish([change(5)])
        item = await subscription.get(timeout=1)
        assert item.to_dict() == {"entity_id": 1, "state_id": 2, "integration_keys": ["toy:a"], "value": 5,
                                  "timestamp": T0.isoformat()}
        bus.publish([change(1), change(2), change(3)])
        assert subscription.pending() == 1 and await subscription.get(timeout=1) is RESYNC
    bus.publish([change(6)])
    assert bus.published == 5
