"""WSGI deployments get the ASGI app's body limits (``hi.wsgi.wrap``): a declared oversize body is refused before
``wsgi.input`` is touched, a chunked one is cut one byte past the route's limit — checked on the middleware with
streams that count what is read, and over a real socket against gunicorn serving ``hi.wsgi:application``."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hi.http.body_limits import Limits
from hi.http.wsgi_body_limits import WSGIBodyLimitMiddleware

from .test_body_limits import _read_response, _send_headers

LIMITS = Limits(default=1024, upload=4096, small=64, webhook=512)


class Endless(io.RawIOBase):
    """A client that never stops sending: counts the bytes the middleware takes."""

    def __init__(self) -> None:
        self.taken = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size > 0, "an unbounded read of an endless body"
        self.taken += size
        return b"x" * size


class Untouchable(io.RawIOBase):
    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


class Echo:
    """The application: what body (by CONTENT_LENGTH, as Django reads it) reached it."""

    def __init__(self) -> None:
        self.seen: list[bytes] = []

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        self.seen.append(environ["wsgi.input"].read(length) if length else b"")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def call(app, path: str, body, **environ) -> tuple[str, dict[str, str], bytes, object]:
    answer: dict = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=dict(headers))

    response = app({"REQUEST_METHOD": "POST", "PATH_INFO": path, "wsgi.input": body, **environ}, start_response)
    content = b"".join(response)
    return answer["status"], answer["headers"], content, response


def test_a_declared_oversize_body_is_refused_without_reading_it():
    echo = Echo()
    app = WSGIBodyLimitMiddleware(echo, LIMITS)
    status, headers, content, _ = call(app, "/api/v1/webhooks/hass/x", Untouchable(), CONTENT_LENGTH=str(1 << 30))
    assert status.startswith("413 ") and headers["Content-Type"] == "application/json"
    assert b'"limit": 512' in content and int(headers["Content-Length"]) == len(content)
    status, _, content, _ = call(app, "/login/", Untouchable(), CONTENT_LENGTH="65")
    assert status.startswith("413 ") and content == b"Request body larger than 64 bytes.\n"
    assert echo.seen == []


def test_a_declared_body_within_the_limit_passes_untouched():
    echo = Echo()
    status, _, _, _ = call(WSGIBodyLimitMiddleware(echo, LIMITS), "/login/", io.BytesIO(b"a" * 64),
                           CONTENT_LENGTH="64")
    assert status == "200 OK" and echo.seen == [b"a" * 64]


def test_a_chunked_body_is_cut_one_byte_past_the_routes_limit():
    for path, limit in [("/login/", 64), ("/api/v1/entities", 1024), ("/places/3/plan/upload", 4096)]:
        echo, endless = Echo(), Endless()
        status, _, _, _ = call(WSGIBodyLimitMiddleware(echo, LIMITS), path, endless,
                               HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input_terminated": True})
        assert status.startswith("413 ") and endless.taken == limit + 1 and echo.seen == []


def test_a_chunked_body_within_the_limit_reaches_the_app_with_its_length():
    echo = Echo()
    status, _, _, response = call(WSGIBodyLimitMiddleware(echo, LIMITS), "/api/v1/entities",
                                  io.BytesIO(b"b" * 1024), HTTP_TRANSFER_ENCODING="chunked",
                                  **{"wsgi.input_terminated": True})
    assert status == "200 OK" and echo.seen == [b"b" * 1024]
    response.close()
    assert response.spool.closed  # the spooled body goes with the answer


def test_bodies_this_layer_cannot_delimit_are_left_to_the_server():
    # wsgiref hands over the raw socket: reading "to the end" would wait for the client's next request
    echo = Echo()
    status, _, _, _ = call(WSGIBodyLimitMiddleware(echo, LIMITS), "/login/", Untouchable(),
                           HTTP_TRANSFER_ENCODING="chunked")
    assert status == "200 OK" and echo.seen == [b""]  # Django, like Echo, reads nothing without a length
    status, _, _, _ = call(WSGIBodyLimitMiddleware(echo, LIMITS), "/login/", Untouchable(), REQUEST_METHOD="GET")
    assert status == "200 OK"


def test_the_wsgi_entry_point_is_wrapped_with_the_settings_limits(settings):
    import hi.wsgi

    assert isinstance(hi.wsgi.application, WSGIBodyLimitMiddleware)
    settings.HI_MAX_BODY_BYTES = 10
    assert hi.wsgi.application.limits().default == 10  # read per request, from the same settings as ASGI


# -- a real WSGI server ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gunicorn_address() -> Iterator[tuple[str, int]]:
    """gunicorn (one sync worker) serving ``hi.wsgi:application`` on a free loopback port."""
    # a dev dependency since this test came: a virtualenv made before it needs `make .venv/.installed`
    pytest.importorskip("gunicorn", reason="gunicorn (pyproject's dev extras) is missing: run make .venv/.installed")
    src = Path(__file__).resolve().parents[3]
    with tempfile.TemporaryDirectory(prefix="hi-wsgi-") as data:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hi.settings.test", "HI_DATA_DIR": data,
               "PYTHONPATH": str(src)}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", "127.0.0.1:0", "--workers", "1", "--no-control-socket",
             "--graceful-timeout", "1", "hi.wsgi:application"],
            env=env, cwd=data, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            port = None
            for line in server.stderr:  # the arbiter says where it listens; the worker accepts from that backlog
                found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", line)
                if found:
                    port = int(found.group(1))
                    break
            assert port, "gunicorn did not start"
            _wait_until_serving(port)
            yield ("127.0.0.1", port)
        finally:
            server.terminate()
            server.wait(15)
            server.stderr.close()


def _wait_until_serving(port: int, seconds: float = 90.0) -> None:
    """The worker loads Django after the arbiter listens (slow on a loaded machine): one request waits for it,
    so the tests' 10 s socket timeouts measure the answers, not the worker's start."""
    answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/healthz", timeout=seconds)
    assert answer.status_code == 200, answer.text[:300]


def test_gunicorn_refuses_a_declared_gigabyte_before_it_is_sent(gunicorn_address):
    sock = _send_headers(gunicorn_address, "/api/v1/webhooks/hass/hooktest",
                         {"Content-Length": str(1 << 30), "Content-Type": "application/json"})
    with sock:
        status, answer = _read_response(sock)
    assert status == 413 and b'"limit": 1048576' in answer


def test_gunicorn_cuts_a_chunked_body_at_the_login_limit(gunicorn_address):
    sock = _send_headers(gunicorn_address, "/login/", {"Transfer-Encoding": "chunked",
                                                       "Content-Type": "application/x-www-form-urlencoded"})
    with sock:
        chunk = b"a" * 4096
        for _ in range(5):  # 20 KB, over the 16 KB limit; the terminating chunk is never sent
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        status, answer = _read_response(sock)
    assert status == 413 and b"larger than 16384 bytes" in answer


def test_gunicorn_passes_a_small_chunked_form_on_to_django(gunicorn_address):
    # the CSRF token is only in the body: signing out succeeds (302) only if Django read the chunked form
    secret = "k" * 32
    body = f"csrfmiddlewaretoken={secret}".encode()
    headers = {"Transfer-Encoding": "chunked", "Content-Type": "application/x-www-form-urlencoded",
               "Cookie": f"csrftoken={secret}"}
    for chunked in (body, b""):
        sock = _send_headers(gunicorn_address, "/logout/", headers)
        with sock:
            sock.sendall((f"{len(chunked):x}\r\n".encode() + chunked + b"\r\n" if chunked else b"") + b"0\r\n\r\n")
            status, answer = _read_response(sock)
        assert status == (302 if chunked else 403), answer[:300]
