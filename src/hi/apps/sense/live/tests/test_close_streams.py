"""At shutdown every open stream ends at once, so Ctrl-C does not wait for the server to cancel them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from hi.apps.sense.live.sse import close_streams, until_closed


async def _forever() -> AsyncIterator[str]:
    yield ": connected\n\n"
    await asyncio.Event().wait()  # an idle stream: nothing to send, ever
    yield "never"


async def test_close_streams_ends_an_idle_stream_promptly():
    stream = until_closed(_forever())
    assert await anext(stream) == ": connected\n\n"
    waiting = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    assert not waiting.done()
    close_streams()
    try:
        await asyncio.wait_for(waiting, timeout=2)
        raise AssertionError("the stream sent something instead of ending")
    except StopAsyncIteration:
        pass


async def test_a_stream_that_ends_by_itself_just_ends():
    async def two() -> AsyncIterator[str]:
        yield "a"
        yield "b"

    assert [chunk async for chunk in until_closed(two())] == ["a", "b"]
