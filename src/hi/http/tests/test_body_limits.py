"""Body limits over a real socket: oversized bodies are refused before the hub reads them."""

from __future__ import annotations

import socket

import pytest

from hi.http.body_limits import Limits, limit_for, route_class

pytestmark = pytest.mark.django_db(transaction=True)


def _read_response(sock: socket.socket) -> tuple[int, bytes]:
    """Status and whole answer, read until the server closes (413s close the connection)."""
    sock.settimeout(10)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
        if b"\r\n\r\n" in data and b"connection: close" not in data.lower():
            break
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, data


def _send_headers(address: tuple[str, int], path: str, headers: dict[str, str]) -> socket.socket:
    sock = socket.create_connection(address, timeout=10)
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{address[1]}", *(f"{k}: {v}" for k, v in headers.items())]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def test_a_declared_gigabyte_is_refused_before_any_body_is_sent(hub_address):
    # the audit's reproduction: an unauthenticated 1 GB webhook; before, the hub waited for (and spooled) it all
    sock = _send_headers(hub_address, "/api/v1/webhooks/hass/hooktest",
                         {"Content-Length": str(1 << 30), "Content-Type": "application/json"})
    with sock:
        status, answer = _read_response(sock)
    assert status == 413
    assert b'"limit": 1048576' in answer
    assert b"connection: close" in answer.lower()


def test_login_refuses_a_declared_large_form_at_once(hub_address):
    sock = _send_headers(hub_address, "/login/", {"Content-Length": str(10 * 1024 * 1024),
                                                  "Content-Type": "application/x-www-form-urlencoded"})
    with sock:
        status, answer = _read_response(sock)
    assert status == 413
    assert b"larger than 16384 bytes" in answer


def test_a_chunked_body_is_cut_off_at_the_limit(hub_address):
    # no Content-Length: the body streams in; the hub stops at 16 KB instead of waiting for the end
    sock = _send_headers(hub_address, "/login/", {"Transfer-Encoding": "chunked",
                                                  "Content-Type": "application/x-www-form-urlencoded"})
    with sock:
        chunk = b"a" * 4096
        for _ in range(5):  # 20 KB, over the 16 KB limit; the terminating chunk is never sent
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        status, _ = _read_response(sock)
    assert status == 413


def test_bodies_under_the_limit_pass(hub_address):
    body = b"x" * (2 * 1024 * 1024)  # over the 1 MB default, under the upload limit
    sock = _send_headers(hub_address, "/places/1/plan/upload",
                         {"Content-Length": str(len(body)), "Content-Type": "application/octet-stream"})
    with sock:
        sock.sendall(body)
        status, _ = _read_response(sock)
    assert status in {302, 403}  # the login redirect or the CSRF refusal: the body was accepted and read


def test_plain_gets_are_untouched(hub_address):
    sock = socket.create_connection(hub_address, timeout=10)
    with sock:
        sock.sendall(f"GET /api/v1/healthz HTTP/1.1\r\nHost: 127.0.0.1:{hub_address[1]}\r\n\r\n".encode())
        status, _ = _read_response(sock)
    assert status == 200


@pytest.mark.parametrize(("path", "expected"), [
    ("/places/3/plan/upload", "upload"),
    ("/entities/7/attributes/add", "upload"),
    ("/attributes/71/edit", "upload"),
    ("/api/v1/locations/2/plan", "upload"),
    ("/api/v1/webhooks/hass/x", "webhook"),
    ("/login/", "small"),
    ("/admin/login/", "small"),
    ("/api/v1/control", "default"),
    ("/places/3/plan/upload/../../login/", "default"),
])
def test_route_classes(path, expected):
    assert route_class(path) == expected


def test_limits_per_class():
    limits = Limits(default=10, upload=20, small=1, webhook=5)
    assert limit_for("/login/", limits) == 1
    assert limit_for("/api/v1/entities", limits) == 10
