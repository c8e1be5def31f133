"""WSGI body limits (hi.http.wsgi_body_limits, around ``hi.wsgi``): what they cost per request, and how much of an
oversized body they read before refusing it.

In-process, with no server in the way: the hub's Django WSGI handler bare and wrapped (``hi.wsgi.wrap``), over a
fresh SQLite database. Requests: GET /api/v1/healthz, and a 1 KB JSON POST with Content-Length to an unknown
webhook (401). Then a chunked 1 MB body (the server said where it ends, as gunicorn does) to the same webhook,
which the wrapped app reads and passes on with its length; a declared 1 GB body (nothing read); and an endless
chunked one (cut at the webhook limit + 1 byte).

    python bench/wsgi_body_limits.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import io
import logging
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _support import setup_django


class Endless(io.RawIOBase):
    def __init__(self) -> None:
        self.taken = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.taken += size
        return b"x" * size


def call(app: Any, method: str, path: str, body: Any = b"", **extra: Any) -> tuple[str, float]:
    stream = body if hasattr(body, "read") else io.BytesIO(body)
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
               "HTTP_HOST": "127.0.0.1", "wsgi.input": stream, "wsgi.url_scheme": "http", "SCRIPT_NAME": "",
               "QUERY_STRING": "", "wsgi.errors": io.StringIO(), **extra}
    if method == "POST" and "CONTENT_LENGTH" not in extra and "HTTP_TRANSFER_ENCODING" not in extra:
        environ["CONTENT_LENGTH"] = str(len(body))
    status = {}
    started = time.perf_counter()
    response = app(environ, lambda s, h, e=None: status.update(s=s))
    b"".join(response)
    getattr(response, "close", lambda: None)()
    return status["s"], time.perf_counter() - started


def latency(apps: dict[str, Any], requests: int) -> None:
    body = b'{"x": "' + b"a" * 1000 + b'"}'
    for what, args in [("GET /api/v1/healthz", ("GET", "/api/v1/healthz")),
                       ("POST 1 KB webhook", ("POST", "/api/v1/webhooks/none/none", body))]:
        times: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(requests):
            for name, app in apps.items():  # interleaved, so drift hits both alike
                times[name].append(call(app, *args)[1])
        medians = {name: statistics.median(t) * 1e6 for name, t in times.items()}
        p99 = {name: sorted(t)[int(len(t) * 0.99)] * 1e6 for name, t in times.items()}
        print(f"{what:22} bare p50 {medians['bare']:7.0f} us p99 {p99['bare']:7.0f} us | "
              f"wrapped p50 {medians['wrapped']:7.0f} us p99 {p99['wrapped']:7.0f} us | "
              f"difference of medians {medians['wrapped'] - medians['bare']:+.0f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hi-bench-wsgi-") as data:
        setup_django(Path(data))
        logging.disable(logging.WARNING)  # every refused request logs a warning: not what is measured
        from django.core.handlers.wsgi import WSGIHandler

        from hi.wsgi import wrap

        bare = WSGIHandler()
        wrapped = wrap(WSGIHandler())
        latency({"bare": bare, "wrapped": wrapped}, args.requests)

        mib = b"y" * (1 << 20)
        runs = [call(wrapped, "POST", "/api/v1/webhooks/none/none", mib, HTTP_TRANSFER_ENCODING="chunked",
                     **{"wsgi.input_terminated": True})[1] for _ in range(20)]
        print(f"chunked 1 MB passed on (spooled, then Django): median {statistics.median(runs) * 1e3:.1f} ms")

        declared = Endless()
        status, took = call(wrapped, "POST", "/api/v1/webhooks/none/none", declared, CONTENT_LENGTH=str(1 << 30))
        print(f"declared 1 GB: {status} in {took * 1e3:.2f} ms, {declared.taken} bytes read")
        endless = Endless()
        status, took = call(wrapped, "POST", "/api/v1/webhooks/none/none", endless,
                            HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input_terminated": True})
        print(f"endless chunked: {status} in {took * 1e3:.2f} ms after {endless.taken} bytes read "
              f"(webhook limit 1048576 + 1)")


if __name__ == "__main__":
    main()
