"""URLs people type or peers send: one validator for base URLs, one same-origin test for page links.

``check_base_url`` is what every integration's URL settings go through (``hi.integrations.attributes``):
a base URL is joined with request paths, so anything beyond scheme, host, port and path would end up
somewhere it should not — a ``?token=`` in every request line, a fragment silently dropped, user-info
sent as Basic auth to whoever the host is, CR/LF split into a header.

``same_origin_path`` decides whether a value taken from a user-editable attribute may be used as a link
or image on our pages: only a plain absolute path on this origin. Browsers read ``/\\host/x`` and
``//host/x`` as another origin, so the test resolves the value the way a browser does and compares origins.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]")  # control characters and any whitespace
_BROWSER_STRIPPED = re.compile(r"[\t\n\r]")  # what the URL standard drops anywhere in a URL


def check_base_url(value: str) -> str:
    """The URL without a trailing slash, or ``ValueError`` saying what is wrong with it."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("enter a full http:// or https:// address")
    if _CONTROL.search(value):
        raise ValueError("the address contains spaces or control characters")
    if "\\" in value:
        raise ValueError("the address contains a backslash")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ValueError("the port in this address is not a number between 0 and 65535") from exc
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValueError("the address must not contain a user name or password (use the settings for those)")
    if parts.query or value.rstrip("/").endswith("?") or "?" in value:
        raise ValueError("the address must not contain a query string (?…); secrets go in their own settings")
    if parts.fragment or "#" in value:
        raise ValueError("the address must not contain a fragment (#…)")
    return value.rstrip("/")


def same_origin_path(value: str, origin: str = "http://hub.invalid") -> bool:
    """Whether ``value`` is an absolute path that a browser resolves to ``origin`` (this hub)."""
    text = value.strip()
    if not text.startswith("/") or _CONTROL.search(text.replace(" ", "")) or "\\" in text:
        return False
    resolved = urljoin(origin + "/", _BROWSER_STRIPPED.sub("", text))
    mine, theirs = urlsplit(origin), urlsplit(resolved)
    return (theirs.scheme, theirs.netloc) == (mine.scheme, mine.netloc) and not text.startswith("//")
