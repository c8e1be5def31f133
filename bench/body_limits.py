"""Body limits (hi.http.body_limits): their cost on normal requests, and how fast a huge upload is refused.

Two uvicorn servers on loopback serve the hub over a fresh SQLite database: one with the ASGI body-limit
layer (``hi.asgi.wrap``, as ``hi run`` serves it), one with Django's bare ASGI handler. Their HTTP
protocol counts every byte read from each connection's socket.

1. Latency: ``--requests`` keep-alive requests to each, interleaved (GET /api/v1/healthz and a small
   JSON POST to an unknown webhook); p50/p99 per server and the difference of medians.
2. A 1 GB upload attempt (``Content-Length: 1073741824``) to a webhook, three ways: a client that waits
   for ``100 Continue`` (as curl does for large bodies); a client that streams the body without waiting;
   and a chunked body with no declared length. For each: time from the request line sent to the 413
   read, and the bytes the server read from the socket (target: refused within 100 ms, <= 64 KB read;
   a chunked body has no declared length, so it is read up to the webhook limit, 1 MB).

    python bench/body_limits.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from _support import setup_django

GIB = 1 << 30


def serve(app: Any) -> tuple[tuple[str, int], dict[str, int], Any]:
    """uvicorn with a byte-counting h11 protocol, in its own thread; returns (address, counters, server)."""
    import uvicorn
    from uvicorn.protocols.http.h11_impl import H11Protocol

    counters = {"read": 0}

    class CountingProtocol(H11Protocol):
        def data_received(self, data: bytes) -> None:
            counters["read"] += len(data)
            super().data_received(data)

    from hi.cli.server import listen_socket

    sock = listen_socket("127.0.0.1", 0)  # the listening socket ``hi run`` makes (its buffer size, no Nagle)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="error", access_log=False,
                                           http=CountingProtocol, timeout_graceful_shutdown=1))
    threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return sock.getsockname(), counters, server


def read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def request(sock: socket.socket, port: int, method: str, path: str, body: bytes = b"") -> float:
    """One keep-alive request; seconds until the whole answer is read."""
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    started = time.perf_counter()
    sock.sendall(head + body)
    data = read_head(sock)
    headers, _, rest = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in headers.lower().split(b"\r\n")
                  if line.startswith(b"content-length:"))
    while len(rest) < length:
        rest += sock.recv(65536)
    return time.perf_counter() - started


def latency(addresses: dict[str, tuple[str, int]], rounds: int) -> dict[str, list[float]]:
    sockets = {name: socket.create_connection(address) for name, address in addresses.items()}
    for sock in sockets.values():
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    timings: dict[str, list[float]] = {name: [] for name in addresses}
    for index in range(rounds):
        for name, sock in sockets.items():
            port = addresses[name][1]
            if index % 2:
                timings[name].append(request(sock, port, "GET", "/api/v1/healthz"))
            else:
                timings[name].append(request(sock, port, "POST", "/api/v1/webhooks/nope/x", b'{"a": 1}'))
    for sock in sockets.values():
        sock.close()
    return timings


def huge_upload(address: tuple[str, int], counters: dict[str, int], how: str) -> tuple[float, int, bytes]:
    """Seconds to the 413, bytes the server read, and the status line, for one 1 GB attempt."""
    counters["read"] = 0
    sock = socket.create_connection(address)
    headers = f"POST /api/v1/webhooks/hass/hooktest HTTP/1.1\r\nHost: 127.0.0.1:{address[1]}\r\n"
    if how == "chunked":
        headers += "Transfer-Encoding: chunked\r\n"
    else:
        headers += f"Content-Length: {GIB}\r\n"
    if how == "expect-100":
        headers += "Expect: 100-continue\r\n"
    chunk = b"x" * 65536
    payload = (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") if how == "chunked" else chunk
    started = time.perf_counter()
    sock.sendall((headers + "\r\n").encode())
    sock.setblocking(False)
    sent, answer = 0, b""
    while b"\r\n" not in answer and time.perf_counter() - started < 10:
        try:
            answer += sock.recv(65536)
            continue
        except BlockingIOError:
            pass
        if how != "expect-100" and sent < GIB:
            try:
                sent += sock.send(payload)
            except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                time.sleep(0.0005)  # the peer's window is full: the server stopped reading
        else:
            time.sleep(0.0005)
    elapsed = time.perf_counter() - started
    sock.close()
    time.sleep(0.05)  # let the server's loop finish the connection before the counter is read
    return elapsed, counters["read"], answer.split(b"\r\n", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hi-bench-limits-") as tmp:
        setup_django(Path(tmp))
        from django.core.handlers.asgi import ASGIHandler

        from hi.asgi import wrap

        limited, limited_counters, server_a = serve(wrap(ASGIHandler()))
        bare, _, server_b = serve(ASGIHandler())
        latency({"limited": limited, "bare": bare}, 50)  # warm-up
        timings = latency({"limited": limited, "bare": bare}, args.requests)
        for name, values in timings.items():
            ordered = sorted(values)
            print(f"{name:8s} {len(values)} requests: p50 {statistics.median(values) * 1000:.3f} ms, "
                  f"p99 {ordered[int(len(ordered) * 0.99)] * 1000:.3f} ms")
        difference = statistics.median(timings["limited"]) - statistics.median(timings["bare"])
        print(f"body-limit layer cost (difference of medians): {difference * 1e6:+.1f} µs per request")
        for how in ("expect-100", "streaming", "chunked"):
            elapsed, read, status = huge_upload(limited, limited_counters, how)
            print(f"1 GB upload ({how}): {status.decode(errors='replace')} after {elapsed * 1000:.1f} ms, "
                  f"server read {read / 1024:.1f} KB")
        server_a.should_exit = server_b.should_exit = True


if __name__ == "__main__":
    main()
