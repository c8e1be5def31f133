"""A real uvicorn serving the hub's wrapped ASGI application on a loopback port, in a thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hi.http.testing import serving


@pytest.fixture
def hub_address(db) -> Iterator[tuple[str, int]]:
    """(host, port) of uvicorn serving ``hi.asgi.wrap(ASGIHandler())``, as ``hi run`` does."""
    from django.core.handlers.asgi import ASGIHandler

    from hi.asgi import wrap

    with serving(wrap(ASGIHandler()), access_log=False) as address:
        yield address
