"""Declared configuration attributes: what a gateway needs, typed, validated without any network."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from hi.utils.numbers import finite_number
from hi.utils.urls import check_base_url

from .enums import AttributeType
from .exceptions import ConfigurationError


@dataclass(frozen=True)
class AttributeSpec:
    """One configuration attribute a gateway declares; drives forms, CLI and API validation."""

    key: str
    label: str
    value_type: AttributeType = AttributeType.TEXT
    required: bool = True
    default: str = ""
    help_text: str = ""
    choices: Sequence[str] = ()
    min_value: float | None = None
    max_value: float | None = None
    validator: Callable[[str], str | None] | None = field(default=None, compare=False)

    @property
    def is_secret(self) -> bool:
        return self.value_type == AttributeType.SECRET

    def clean(self, raw: str | None) -> str:
        """Return the normalised value or raise ``ValueError`` with a message a person understands."""
        value = (raw if raw is not None else "").strip() if self.value_type != AttributeType.LINES else (raw or "")
        if self.value_type == AttributeType.LINES:
            value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
        if not value:
            if self.default:
                return self.default
            if self.required:
                raise ValueError("this value is required")
            return ""
        cleaner = _CLEANERS.get(self.value_type)
        if cleaner is not None:
            value = cleaner(self, value)
        if self.validator is not None:
            problem = self.validator(value)
            if problem:
                raise ValueError(problem)
        return value


def _clean_url(spec: AttributeSpec, value: str) -> str:
    """Every integration's base URLs: scheme, host, port and path only (hi.utils.urls.check_base_url)."""
    return check_base_url(value)


def _clean_number(spec: AttributeSpec, value: str) -> str:
    kind = "a whole number" if spec.value_type == AttributeType.INTEGER else "a number"
    try:
        number = int(value) if spec.value_type == AttributeType.INTEGER else float(value)
    except ValueError as exc:
        raise ValueError(f"enter {kind}") from exc
    if finite_number(number) is None:  # nan, inf: saved once, they broke the worker ("cannot convert NaN")
        raise ValueError(f"enter {kind} (not {value!r})")
    if spec.min_value is not None and number < spec.min_value:
        raise ValueError(f"must be at least {spec.min_value:g}")
    if spec.max_value is not None and number > spec.max_value:
        raise ValueError(f"must be at most {spec.max_value:g}")
    return str(number)


def _clean_boolean(spec: AttributeSpec, value: str) -> str:
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return "true"
    if lowered in {"0", "false", "no", "off"}:
        return "false"
    raise ValueError("enter yes or no")


def _clean_timezone(spec: AttributeSpec, value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("not a known time zone (e.g. America/Chicago)") from exc
    return value


def _clean_choice(spec: AttributeSpec, value: str) -> str:
    if value not in spec.choices:
        raise ValueError(f"choose one of: {', '.join(spec.choices)}")
    return value


_CLEANERS: dict[AttributeType, Callable[[AttributeSpec, str], str]] = {
    AttributeType.URL: _clean_url,
    AttributeType.INTEGER: _clean_number,
    AttributeType.FLOAT: _clean_number,
    AttributeType.BOOLEAN: _clean_boolean,
    AttributeType.TIMEZONE: _clean_timezone,
    AttributeType.CHOICE: _clean_choice,
}


def clean_attributes(specs: Sequence[AttributeSpec], values: Mapping[str, str | None],
                     existing: Mapping[str, str] | None = None) -> dict[str, str]:
    """Validate ``values`` against ``specs``; unknown keys and bad values raise one ConfigurationError.

    Secrets left empty keep their ``existing`` value, so a form never has to echo them back.
    """
    existing = existing or {}
    known = {spec.key for spec in specs}
    errors = {key: "not a setting of this integration" for key in values if key not in known}
    cleaned: dict[str, str] = {}
    for spec in specs:
        raw = values.get(spec.key)
        if spec.is_secret and not (raw or "").strip() and existing.get(spec.key):
            cleaned[spec.key] = existing[spec.key]
            continue
        if raw is None and spec.key in existing:
            raw = existing[spec.key]
        try:
            cleaned[spec.key] = spec.clean(raw)
        except ValueError as exc:
            errors[spec.key] = str(exc)
    if errors:
        raise ConfigurationError(field_errors=errors)
    return cleaned
