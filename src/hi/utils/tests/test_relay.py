"""relay_until: a stream wrapper ends on stop or a failed check without cutting a message, and always closes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from hi.utils.relay import relay_until


class Source:
    """An async generator whose messages the test releases one by one, recording whether it was closed."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.closed = False

    async def events(self) -> AsyncIterator[str]:
        try:
            while (item := await self.queue.get()) is not None:
                yield item
        finally:
            self.closed = True


async def test_relays_every_message_until_the_stream_ends():
    source = Source()
    for item in ("a", "b", None):
        source.queue.put_nowait(item)
    assert [chunk async for chunk in relay_until(source.events())] == ["a", "b"]
    assert source.closed


async def test_stop_ends_an_idle_stream_and_closes_it():
    source, stop = Source(), asyncio.Event()
    relayed = relay_until(source.events(), stop=stop)
    source.queue.put_nowait("a")
    assert await anext(relayed) == "a"
    waiting = asyncio.ensure_future(anext(relayed))
    await asyncio.sleep(0)
    assert not waiting.done()
    stop.set()
    try:
        await asyncio.wait_for(waiting, timeout=2)
        raise AssertionError("the relay sent something instead of ending")
    except StopAsyncIteration:
        pass
    assert source.closed


async def test_a_failed_check_sends_the_farewell_and_ends():
    source = Source()
    answers = [True, False]
    checked = asyncio.Event()

    async def check() -> bool:
        checked.set()
        return answers.pop(0)

    relayed = relay_until(source.events(), check=check, every=0.01, farewell="bye")
    source.queue.put_nowait("a")
    assert await anext(relayed) == "a"
    assert [chunk async for chunk in relayed] == ["bye"]
    assert checked.is_set() and answers == []
    assert source.closed


async def test_a_check_never_cancels_the_pending_read():
    source = Source()
    checks = 0

    async def check() -> bool:
        nonlocal checks
        checks += 1
        if checks == 3:
            source.queue.put_nowait("late")  # arrives while the same read has been pending across checks
        return True

    relayed = relay_until(source.events(), check=check, every=0.01)
    assert await asyncio.wait_for(anext(relayed), timeout=2) == "late"
    source.queue.put_nowait(None)
    assert [chunk async for chunk in relayed] == []
    assert checks >= 3 and source.closed


async def test_closing_the_relay_early_closes_the_stream():
    source = Source()
    relayed = relay_until(source.events(), stop=asyncio.Event())
    source.queue.put_nowait("a")
    assert await anext(relayed) == "a"
    await relayed.aclose()
    assert source.closed
