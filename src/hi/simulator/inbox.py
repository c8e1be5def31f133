"""A notification inbox on loopback: a real SMTP server and a JSON webhook receiver, with a page showing both.

Stands in for a mail server and a chat/webhook service in tests, the bench and the demo: Apprise
``mailto://127.0.0.1:<smtp_port>?…&mode=insecure`` and ``json://127.0.0.1:<port>/hook`` URLs reach
it. ``GET /`` lists what arrived (the demo's "see the notifications"), ``GET /messages`` as JSON.
The HTTP side has the usual fault injector (``error_burst`` makes the webhook fail, then recover).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import html
import socket
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiohttp import web
from aiosmtpd.smtp import SMTP, Envelope, Session

from .base import SimulatorBase


@dataclass
class Received:
    """One message that arrived, by mail or by webhook."""

    via: str  # "smtp" or "webhook"
    title: str
    body: str
    at: dt.datetime
    recipients: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    attachment_data: list[bytes] = field(default_factory=list, repr=False)  # the files themselves, for tests

    def as_json(self) -> dict[str, Any]:
        return {"via": self.via, "title": self.title, "body": self.body, "at": self.at.isoformat(),
                "recipients": self.recipients, "attachments": self.attachments}


class _MailHandler:
    def __init__(self, inbox: InboxSimulator) -> None:
        self.inbox = inbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        message = email.message_from_bytes(raw if isinstance(raw, bytes) else raw.encode(),
                                           policy=email.policy.default)
        text = message.get_body(preferencelist=("plain", "html"))
        parts = list(message.iter_attachments())
        attachments = [part.get_filename() or "attachment" for part in parts]
        data = [part.get_payload(decode=True) or b"" for part in parts]
        self.inbox.add(Received("smtp", str(message.get("Subject", "")), text.get_content() if text else "",
                                dt.datetime.now(dt.UTC), list(envelope.rcpt_tos), attachments, data))
        return "250 Message accepted"


class InboxSimulator(SimulatorBase):
    name: ClassVar[str] = "inbox"
    profiles: ClassVar[tuple[str, ...]] = ("demo",)

    def __init__(self, profile: str = "demo", host: str = "127.0.0.1", port: int = 0, smtp_port: int = 0) -> None:
        super().__init__(profile, host, port)
        self.smtp_port = smtp_port
        self.messages: list[Received] = []
        self._changed = threading.Condition()
        self._smtp_server: asyncio.base_events.Server | None = None

    # -- what arrived ----------------------------------------------------------------------------
    def add(self, item: Received) -> None:
        with self._changed:
            self.messages.append(item)
            self._changed.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0, via: str | None = None) -> list[Received]:
        """Block until ``count`` messages (of ``via``) arrived; raises ``TimeoutError`` otherwise."""
        def matching() -> list[Received]:
            return [m for m in self.messages if via is None or m.via == via]

        with self._changed:
            if not self._changed.wait_for(lambda: len(matching()) >= count, timeout):
                raise TimeoutError(f"{len(matching())} of {count} messages arrived in {timeout} s")
            return matching()

    def reset_state(self) -> None:
        with self._changed:
            self.messages.clear()

    # -- URLs for Apprise --------------------------------------------------------------------------
    def mail_url(self, to: str = "home@example.com") -> str:
        return f"mailto://{self.host}:{self.smtp_port}?from=hi@example.com&to={to}&mode=insecure"

    def webhook_url(self) -> str:
        return f"json://{self.host}:{self.port}/hook"

    # -- servers ----------------------------------------------------------------------------------
    def setup_routes(self, app: web.Application) -> None:
        app.router.add_post("/hook", self._hook)
        app.router.add_get("/messages", self._list)
        app.router.add_get("/", self._page)

    async def start(self) -> None:
        await super().start()
        sock = socket.create_server((self.host, self.smtp_port))
        self.smtp_port = sock.getsockname()[1]
        handler = _MailHandler(self)
        self._smtp_server = await asyncio.get_running_loop().create_server(
            lambda: SMTP(handler, hostname="inbox.local", ident="hi inbox"), sock=sock)

    async def stop(self) -> None:
        if self._smtp_server is not None:
            self._smtp_server.close()
            await self._smtp_server.wait_closed()
            self._smtp_server = None
        await super().stop()

    async def _hook(self, request: web.Request) -> web.Response:
        try:
            payload = await request.json()
        except ValueError:
            return web.json_response({"error": "not JSON"}, status=400)
        if not isinstance(payload, dict):
            return web.json_response({"error": "expected an object"}, status=400)
        attachments = [a.get("filename", "attachment") for a in payload.get("attachments") or []
                       if isinstance(a, dict)]
        self.add(Received("webhook", str(payload.get("title", "")), str(payload.get("message", "")),
                          dt.datetime.now(dt.UTC), attachments=attachments))
        return web.json_response({"ok": True})

    async def _list(self, request: web.Request) -> web.Response:
        return web.json_response([m.as_json() for m in self.messages])

    async def _page(self, request: web.Request) -> web.Response:
        rows = "".join(
            f"<tr><td>{html.escape(m.at.strftime('%H:%M:%S'))}</td><td>{m.via}</td><td>{html.escape(m.title)}</td>"
            f"<td><pre>{html.escape(m.body)}</pre></td><td>{html.escape(', '.join(m.attachments))}</td></tr>"
            for m in reversed(self.messages))
        page = ("<!doctype html><meta charset=utf-8><title>hi demo inbox</title>"
                "<meta http-equiv=refresh content=5><h1>Notifications received</h1>"
                f"<p>SMTP on port {self.smtp_port}, webhook at /hook. Newest first.</p>"
                f"<table border=1 cellpadding=4><tr><th>at</th><th>via</th><th>title</th><th>body</th><th>attached</th></tr>{rows}"
                "</table>")
        return web.Response(text=page, content_type="text/html")
