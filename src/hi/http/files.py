"""Files answered by the hub (attachments, uploaded documents) that stream under ASGI as well as WSGI.

Django's ``FileResponse`` reads its file with a synchronous iterator. Under ASGI (``hi run``), Django
cannot send a synchronous iterator as it goes: it reads the whole file into memory in a worker thread
first, then sends it, and warns. Here the same response (its headers: length, type, disposition) gets
an asynchronous iterator instead, which reads one chunk at a time in a thread, so a 50 MB manual costs
one chunk of memory, not 50 MB. Under WSGI the synchronous iterator is already the right one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, BinaryIO

from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpRequest

CHUNK_BYTES = 256 * 1024  # one thread hop per chunk: large enough to be cheap, small enough to stay light


async def _chunks(file: BinaryIO, size: int) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(file.read, size):
        yield chunk


def file_response(request: HttpRequest, file: BinaryIO, **options: Any) -> FileResponse:
    """``FileResponse(file, **options)``, read chunk by chunk without blocking the event loop under ASGI.

    The file is closed with the response (Django's own closer, registered by ``FileResponse``).
    """
    response = FileResponse(file, **options)
    if isinstance(request, ASGIRequest):
        response.streaming_content = _chunks(file, CHUNK_BYTES)
    return response
