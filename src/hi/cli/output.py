"""Printing results: readable tables for people, JSON for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from hi.utils.text import printable


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def format_value(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def cell_value(value: Any, limit: int = 40) -> str:
    """A value short enough for a table cell: lists and objects are summarised, long text is cut."""
    if isinstance(value, list):
        return f"({len(value)} item{'' if len(value) == 1 else 's'})"
    if isinstance(value, dict):
        return f"({len(value)} field{'' if len(value) == 1 else 's'})"
    text = format_value(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def local_time(value: Any) -> str:
    """A datetime (or ISO text) in the household's zone as 'YYYY-MM-DD HH:MM:SS ±HHMM'; '-' for none."""
    import datetime as dt

    from django.utils import timezone
    from django.utils.dateparse import parse_datetime

    when = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(when, dt.datetime):
        return format_value(value)
    if timezone.is_naive(when):
        when = timezone.make_aware(when, dt.UTC)
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S %z")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], empty: str = "(none)") -> str:
    """Left-aligned columns sized to their content."""
    if not rows:
        return empty
    # external names can carry terminal escape sequences (retitle the window, recolour the screen)
    cells = [[printable(format_value(cell)) for cell in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def say(text: str = "") -> None:
    sys.stdout.write(printable(text, keep_newlines=True) + "\n")
    sys.stdout.flush()


_json_lines = False


def use_json_lines(enabled: bool) -> None:
    """Long-running commands with ``--json`` report progress as one JSON object per line."""
    global _json_lines
    _json_lines = enabled


def note(event: str, text: str, **fields: Any) -> None:
    """A progress line: words for people, or ``{"event": ..., "message": ..., **fields}`` for scripts."""
    if _json_lines:
        sys.stdout.write(json.dumps({"event": event, "message": text.strip(), **fields}, default=str) + "\n")
        sys.stdout.flush()
    else:
        say(text)
