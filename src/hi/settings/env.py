"""Reading the hub's ``HI_*`` environment variables: one parser for the whole hub.

Why: a mistyped value must stop the hub at start with one sentence naming the variable, the value
and what is expected — not fall back to a default unnoticed (a cap of "8 streams" that silently stays
8 when the household wrote "eight") nor end in a ``ValueError`` traceback. Settings modules call
these; code elsewhere reads ``django.conf.settings`` (tests override with pytest-django's ``settings``).
The few values read before Django starts (``hi run``'s ``HI_PORT``) use the same functions.

An empty (or blank) value counts as unset, as a ``HI_X=`` line in an environment file means.
No Django settings are touched here (only ``ImproperlyConfigured``), so the CLI may import it early.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or not value.strip():
        return None
    return value.strip()


def _refuse(name: str, raw: str, expected: str, default: object) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={raw!r} is not valid: expected {expected} (unset, it is {default})")


def env_text(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str:
    """A string; unset or blank gives ``default``."""
    raw = _raw(name, environ)
    return default if raw is None else raw


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (any case); any other word is refused, not read as off."""
    raw = _raw(name, environ)
    if raw is None:
        return default
    if raw.lower() in TRUE_WORDS:
        return True
    if raw.lower() in FALSE_WORDS:
        return False
    raise _refuse(name, raw, "one of 1/true/yes/on or 0/false/no/off", "on" if default else "off")


def env_int(name: str, default: int, *, minimum: int = 1, maximum: int | None = None,
            environ: Mapping[str, str] | None = None) -> int:
    """A whole number in ``[minimum, maximum]``; ``minimum`` is 1 unless zero (or less) means something."""
    raw = _raw(name, environ)
    if raw is None:
        return default
    expected = (f"a whole number from {minimum} to {maximum}" if maximum is not None
                else f"a whole number of {minimum} or more")
    try:
        value = int(raw)
    except ValueError:
        raise _refuse(name, raw, expected, default) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise _refuse(name, raw, expected, default)
    return value


def env_float(name: str, default: float, *, allow_zero: bool = False,
              environ: Mapping[str, str] | None = None) -> float:
    """A finite number more than 0 (or 0 too, where ``allow_zero`` says 0 means something, e.g. "off")."""
    raw = _raw(name, environ)
    if raw is None:
        return default
    expected = "a number of 0 or more" if allow_zero else "a number more than 0"
    try:
        value = float(raw)
    except ValueError:
        raise _refuse(name, raw, expected, f"{default:g}") from None
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise _refuse(name, raw, expected, f"{default:g}")
    return value


def check_numbers(names: Iterable[str], *, allow_zero: bool = True,
                  environ: Mapping[str, str] | None = None) -> None:
    """Refuse a bad value of variables read later by their own code (whose defaults live there), so a typo
    stops the start instead of a task hours later; unset ones are fine."""
    for name in names:
        raw = _raw(name, environ)
        if raw is None:
            continue
        try:
            env_float(name, 0.0, allow_zero=allow_zero, environ=environ)
        except ImproperlyConfigured:
            expected = "a number of 0 or more" if allow_zero else "a number more than 0"
            raise ImproperlyConfigured(f"{name}={raw!r} is not valid: expected {expected}") from None


def env_choice(name: str, default: str, choices: Iterable[str], *,
               environ: Mapping[str, str] | None = None) -> str:
    """One of ``choices`` (compared without case; returned as the choice is spelled)."""
    options = list(choices)
    raw = _raw(name, environ)
    if raw is None:
        return default
    for option in options:
        if raw.lower() == option.lower():
            return option
    raise _refuse(name, raw, "one of " + ", ".join(options), default)


def env_list(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    return [item.strip() for item in env_text(name, default, environ=environ).split(",") if item.strip()]
