"""The weather integration's settings, read once from its (already validated) attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .service import TransportFactory, WeatherService
from .sources import available_sources, parse_source_list
from .sources.base import Now, utc_now
from .store import RequestStore

DEFAULT_BASE_URLS = {name: source.spec.default_base_url for name, source in available_sources().items()}


def default_source_list() -> str:
    return ",".join(available_sources())


@dataclass(frozen=True)
class WeatherSettings:
    latitude: float
    longitude: float
    sources: tuple[str, ...]
    contact: str
    units: str
    base_urls: Mapping[str, str]

    @classmethod
    def from_attributes(cls, attributes: Mapping[str, str]) -> WeatherSettings:
        sources = tuple(parse_source_list(attributes.get("sources") or default_source_list()))
        base_urls = {name: (attributes.get(f"{name}_base_url") or DEFAULT_BASE_URLS.get(name, "")).rstrip("/")
                     for name in sources}
        return cls(float(attributes["latitude"]), float(attributes["longitude"]), sources,
                   attributes.get("nws_contact", ""), attributes.get("units") or "metric", base_urls)

    def build_service(self, store: RequestStore, clock: Now = utc_now,
                      transport_factory: TransportFactory | None = None) -> WeatherService:
        return WeatherService.configure(self.sources, self.latitude, self.longitude, self.base_urls, store,
                                        contact=self.contact, clock=clock, transport_factory=transport_factory)
