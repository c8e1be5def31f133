"""Weather sources, one module each; a module is a source when it exposes ``SOURCE``."""

from __future__ import annotations

import importlib
import pkgutil

from .base import WeatherSource

_NOT_SOURCES = {"base"}


def available_sources() -> dict[str, type[WeatherSource]]:
    """Every source module in this package, by its declared name, in declared priority order."""
    found: dict[str, type[WeatherSource]] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name in _NOT_SOURCES or module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        source = getattr(module, "SOURCE", None)
        if source is not None:
            found[source.spec.name] = source
    return dict(sorted(found.items(), key=lambda item: item[1].spec.priority))


def parse_source_list(text: str) -> list[str]:
    """'nws, openmeteo' → ['nws', 'openmeteo']; raises ValueError naming unknown or repeated sources."""
    known = available_sources()
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise ValueError("name at least one source")
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown source {', '.join(unknown)}; known: {', '.join(known)}")
    if len(set(names)) != len(names):
        raise ValueError("each source may be named only once")
    return names
