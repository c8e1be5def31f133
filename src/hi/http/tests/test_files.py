"""Files the hub answers stream in chunks under ASGI (never read whole first) and keep FileResponse's headers."""

from __future__ import annotations

import io
import warnings

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncRequestFactory, RequestFactory

from hi.http.files import CHUNK_BYTES, file_response

# closing a response sends request_finished, whose handler checks the thread's database connection
pytestmark = pytest.mark.django_db

BODY = bytes(range(256)) * (3 * CHUNK_BYTES // 256 + 7)  # three whole chunks and a bit


class Counting(io.BytesIO):
    """Remembers the largest single read, which is what the answer held in memory at once."""

    largest = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.largest = max(self.largest, len(chunk))
        return chunk


async def test_under_asgi_the_file_goes_out_chunk_by_chunk_with_its_headers() -> None:
    file = Counting(BODY)
    response = file_response(AsyncRequestFactory().get("/"), file, as_attachment=True, filename="manual.pdf")
    assert response.is_async
    assert response["Content-Length"] == str(len(BODY))
    assert response["Content-Disposition"] == 'attachment; filename="manual.pdf"'
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django warns when it has to read a synchronous iterator whole
        received = [chunk async for chunk in response]
    assert b"".join(received) == BODY and len(received) == 4
    assert file.largest == CHUNK_BYTES
    await sync_to_async(response.close)()  # as Django's ASGI handler closes it: its signal touches the database
    assert file.closed


def test_under_wsgi_it_is_django_own_file_response() -> None:
    file = io.BytesIO(BODY)
    response = file_response(RequestFactory().get("/"), file, content_type="application/pdf")
    assert not response.is_async and response["Content-Type"] == "application/pdf"
    assert b"".join(response) == BODY
    response.close()
    assert file.closed
