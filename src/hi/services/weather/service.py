"""The weather service: asks every enabled source (through its fetcher), merges, reports who serves.

No Django here: the store and transport are handed in, so the same code runs in the monitor,
in tests against the simulators and in the request-counting bench.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hi.integrations.exceptions import IntegrationError

from .fetcher import Fetcher, Transport
from .merge import MergedValue, merge_reports
from .sources import available_sources
from .sources.base import (
    CURRENT_FIELDS,
    Alert,
    Now,
    SourceReport,
    SourceSettings,
    SourceSpec,
    WeatherSource,
    utc_now,
)
from .store import RequestStore
from .transport import BudgetExhausted, ClientTransport

TransportFactory = Callable[[SourceSpec], Transport]

logger = logging.getLogger(__name__)


@dataclass
class SourceStatus:
    """How a source did in the latest poll: ``ok``, ``failing`` or ``waiting`` (held back by its limit)."""

    name: str
    state: str = "unknown"
    message: str = ""
    last_success: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"state": self.state, "message": self.message,
                "last_success": self.last_success.isoformat() if self.last_success else None}


@dataclass
class WeatherSnapshot:
    taken_at: dt.datetime
    values: dict[str, MergedValue]
    sources: dict[str, SourceStatus]
    reports: list[SourceReport] = field(default_factory=list)

    @property
    def serving(self) -> str | None:
        """The source supplying most of the fresh current conditions (None when nothing is fresh)."""
        counts = Counter(v.source for k, v in self.values.items() if k in CURRENT_FIELDS and not v.stale)
        return counts.most_common(1)[0][0] if counts else None

    @property
    def any_stale(self) -> bool:
        return any(v.stale for v in self.values.values())

    @property
    def alerts(self) -> list[Alert] | None:
        """Active alerts, or None when no source could say fresh enough (then none may be ended early)."""
        merged = self.values.get("alerts")
        if merged is None or merged.stale:
            return None
        return list(merged.value)

    def summary(self) -> str:
        failing = [f"{s.name}: {s.message}" for s in self.sources.values() if s.state == "failing"]
        serving = self.serving
        text = f"serving from {serving}" if serving else "no source is serving fresh conditions"
        if self.any_stale:
            stale = sorted(name for name, value in self.values.items() if value.stale)
            text += f"; stale: {', '.join(stale)}"
        if failing:
            text += "; failing: " + "; ".join(failing)
        return text


class WeatherService:
    """Holds the enabled sources in priority order; ``refresh()`` is one poll."""

    def __init__(self, sources: Sequence[WeatherSource], store: RequestStore, clock: Now = utc_now,
                 transport_factory: TransportFactory | None = None) -> None:
        self.sources = list(sources)
        self.store = store
        self.clock = clock
        factory = transport_factory or (lambda spec: ClientTransport(spec, store, clock))
        self.transports: dict[str, Transport] = {s.spec.name: factory(s.spec) for s in self.sources}
        self.status = {s.spec.name: SourceStatus(s.spec.name) for s in self.sources}
        self.refusals: dict[str, dict[str, tuple[dt.datetime, IntegrationError]]] = {
            s.spec.name: {} for s in self.sources}

    @classmethod
    def configure(cls, names: Sequence[str], latitude: float, longitude: float, base_urls: Mapping[str, str],
                  store: RequestStore, contact: str = "", clock: Now = utc_now,
                  transport_factory: TransportFactory | None = None) -> WeatherService:
        known = available_sources()
        sources = [known[name](SourceSettings(latitude, longitude, base_urls[name].rstrip("/"), contact))
                   for name in names]
        return cls(sources, store, clock, transport_factory)

    def fetcher_for(self, source: WeatherSource) -> Fetcher:
        name = source.spec.name
        return Fetcher(source.spec, self.store, self.transports[name], self.clock, source.headers,
                       self.refusals[name])

    def health_details(self) -> dict[str, Any]:
        """Per source: its latest state plus the client layer's breaker and metrics when available."""
        details: dict[str, Any] = {}
        for name, status in self.status.items():
            entry = status.as_dict()
            transport = self.transports[name]
            if isinstance(transport, ClientTransport):
                entry.update(transport.health_details())
            details[name] = entry
        return details

    def close(self) -> None:
        for transport in self.transports.values():
            if isinstance(transport, ClientTransport):
                transport.close()

    def refresh(self) -> WeatherSnapshot:
        now = self.clock()
        reports = [self._collect(source, now) for source in self.sources]
        specs = {s.spec.name: s.spec for s in self.sources}
        values = merge_reports(reports, specs, now)
        return WeatherSnapshot(now, values, {k: v for k, v in self.status.items()}, reports)

    def _collect(self, source: WeatherSource, now: dt.datetime) -> SourceReport:
        name = source.spec.name
        fetcher = self.fetcher_for(source)
        status = self.status[name]
        try:
            report = source.collect(fetcher, now)
        except BudgetExhausted as exc:
            report = SourceReport(source=name, errors=[exc.message])
        except IntegrationError as exc:
            if exc not in fetcher.errors:
                fetcher.errors.append(exc)
            report = SourceReport(source=name, errors=[exc.message])
        except Exception as exc:  # a source's bug must not take the others down
            logger.exception("weather source %s failed unexpectedly", name)
            fetcher.errors.append(IntegrationError(f"unexpected error: {type(exc).__name__}"))
            report = SourceReport(source=name, errors=[str(exc)])
        if fetcher.errors:
            status.state, status.message = "failing", fetcher.errors[-1].message
        elif fetcher.held_back:
            status.state, status.message = "waiting", "holding back to stay within its rate limit"
        else:
            status.state, status.message, status.last_success = "ok", "", now
        return report
