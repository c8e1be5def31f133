"""The request body limits of ``body_limits`` for WSGI servers (``hi.wsgi``): the same route classes and limits
(``body_limits.limit_for`` over ``limits_from_settings()``), so ASGI and WSGI deployments cannot disagree.

- A declared ``Content-Length`` over the route's limit is answered 413 without reading ``wsgi.input`` at all.
- A body without one (chunked) can be read only when the server says where it ends (``wsgi.input_terminated``:
  gunicorn, waitress, werkzeug and mod_wsgi set it). It is read up to the route's limit — one byte more is a 413
  and the rest is never read — into a spooled file (in memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, then on
  disk) and handed on with its length: Django's WSGI handler reads a body only by ``Content-Length``, so
  without this a chunked body would reach a view empty.
- A chunked body on a server that does not end its input (wsgiref hands over the raw socket) cannot be
  delimited here; Django reads none of it, so nothing is buffered, and it passes untouched.

WSGI does not let an application send ``Connection: close``: whether the unread rest of a refused body is
drained or the connection dropped is the server's choice (gunicorn's sync workers close after every answer).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterable, Iterator
from http import HTTPStatus
from typing import IO, Any

from .body_limits import KIB, Limits, limit_for, limits_from_settings, refusal

logger = logging.getLogger("hi.http.body_limits")

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

BLOCK = 64 * KIB  # read a streamed body in blocks of this size (never past the limit + 1 byte)
STATUS_413 = f"413 {HTTPStatus.REQUEST_ENTITY_TOO_LARGE.phrase}"


def _declared_length(environ: Environ) -> int | None:
    text = str(environ.get("CONTENT_LENGTH") or "").strip()
    return int(text) if text.isdigit() else None


def _refuse(start_response: StartResponse, path: str, limit: int) -> list[bytes]:
    content_type, body = refusal(path, limit)
    start_response(STATUS_413, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def _spool_size() -> int:
    from django.conf import settings

    return int(getattr(settings, "FILE_UPLOAD_MAX_MEMORY_SIZE", 2621440))


def read_limited(stream: IO[bytes], limit: int, spool_size: int) -> tuple[IO[bytes], int] | None:
    """The whole body of a terminated ``stream`` in a spooled file, with its size; None (nothing kept) as soon
    as it is longer than ``limit`` — at most ``limit + 1`` bytes are ever read."""
    spool = tempfile.SpooledTemporaryFile(max_size=spool_size)  # noqa: SIM115 - closed by the caller or here
    total = 0
    while True:
        chunk = stream.read(min(BLOCK, limit + 1 - total))
        if not chunk:
            break
        total += len(chunk)
        if total > limit:
            spool.close()
            return None
        spool.write(chunk)
    spool.seek(0)
    return spool, total


class _ClosingResponse:
    """The application's answer, closing the spooled body too when the server closes the answer (PEP 3333)."""

    def __init__(self, response: Iterable[bytes], spool: IO[bytes]) -> None:
        self.response = response
        self.spool = spool

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.response)

    def close(self) -> None:
        try:
            close = getattr(self.response, "close", None)
            if close is not None:
                close()
        finally:
            self.spool.close()


class WSGIBodyLimitMiddleware:
    """WSGI middleware refusing request bodies over their route class's limit (see the module docstring)."""

    def __init__(self, app: WSGIApp, limits: Limits | Callable[[], Limits] = limits_from_settings) -> None:
        self.app = app
        self._limits = limits

    def limits(self) -> Limits:
        return self._limits if isinstance(self._limits, Limits) else self._limits()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        limit = limit_for(path, self.limits())
        declared = _declared_length(environ)
        if declared is not None:
            if declared > limit:
                logger.warning("refused %s %s: Content-Length %d over the %d-byte limit",
                               environ.get("REQUEST_METHOD"), path, declared, limit)
                return _refuse(start_response, path, limit)
            return self.app(environ, start_response)
        if not environ.get("HTTP_TRANSFER_ENCODING") or not environ.get("wsgi.input_terminated"):
            return self.app(environ, start_response)  # no body, or one this layer cannot delimit (see above)
        body = read_limited(environ["wsgi.input"], limit, _spool_size())
        if body is None:
            logger.warning("refused %s %s: body over the %d-byte limit", environ.get("REQUEST_METHOD"), path, limit)
            return _refuse(start_response, path, limit)
        spool, size = body
        environ["wsgi.input"] = spool
        environ["CONTENT_LENGTH"] = str(size)
        try:
            response = self.app(environ, start_response)
        except BaseException:
            spool.close()
            raise
        return _ClosingResponse(response, spool)
