"""One source's gate to the network: the cache first, then the client layer (which applies the limit).

A payload is cached only once it validates, so the cache always holds the last *good* answer;
when the network fails, that answer is handed back marked not fresh, and the failure is noted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from hi.integrations.exceptions import IntegrationError

from .sources.base import Fetched, Now, SourceSpec
from .store import CachedPayload, RequestStore
from .transport import BudgetExhausted

logger = logging.getLogger(__name__)
REFUSAL_MEMORY = dt.timedelta(hours=1)


class Transport(Protocol):
    """Sends one GET and returns the decoded JSON; raises IntegrationError subclasses on failure."""

    def get_json(self, url: str, params: Mapping[str, str] | None, headers: Mapping[str, str]) -> Any: ...


class Fetcher:
    """Implements the ``Fetch`` protocol for one source; ``errors`` collects this poll's failures."""

    def __init__(self, spec: SourceSpec, store: RequestStore, transport: Transport, clock: Now,
                 headers: Mapping[str, str] | None = None,
                 refusals: dict[str, tuple[dt.datetime, IntegrationError]] | None = None) -> None:
        self.spec = spec
        self.refusals = refusals if refusals is not None else {}
        self.store = store
        self.transport = transport
        self.clock = clock
        self.headers = dict(headers or {})
        self.errors: list[IntegrationError] = []
        self.held_back = False

    def __call__(self, kind: str, url: str, params: Mapping[str, str] | None = None,
                 cache_key: str | None = None, validate: Callable[[Any], Any] | None = None) -> Fetched:
        key = cache_key or f"{kind}:{url}?{json.dumps(dict(params or {}), sort_keys=True)}"
        now = self.clock()
        cached = self.store.load(self.spec.name, key)
        lifetime = dt.timedelta(seconds=self.spec.cache_seconds.get(kind, 300))
        if cached is not None and now - cached.fetched_at < lifetime:
            return Fetched(cached.payload, cached.fetched_at, from_cache=True, fresh=True)
        refused = self.refusals.get(key)
        if refused is not None and now < refused[0]:
            self.errors.append(refused[1])
            return self._fallback(cached, refused[1], failed=True)
        try:
            payload = self.transport.get_json(url, params, self.headers)
            if validate is not None:
                validate(payload)
        except BudgetExhausted as exc:
            self.held_back = True
            return self._fallback(cached, exc, failed=False)
        except IntegrationError as exc:
            logger.info("weather source %s, %s: %s", self.spec.name, kind, exc.message)
            self.errors.append(exc)
            if exc.permanent:  # asking again soon cannot help (a 404 point, a 400): wait out a cache lifetime
                self.refusals[key] = (now + min(lifetime, REFUSAL_MEMORY), exc)
            return self._fallback(cached, exc, failed=True)
        self.store.save(self.spec.name, key, payload, now)
        self.refusals.pop(key, None)
        return Fetched(payload, now, from_cache=False, fresh=True)

    @staticmethod
    def _fallback(cached: CachedPayload | None, exc: IntegrationError, failed: bool) -> Fetched:
        """Hand back the last good answer, marked not fresh; without one, the failure is the answer."""
        if cached is None:
            raise exc
        return Fetched(cached.payload, cached.fetched_at, from_cache=True, fresh=False, failed=failed)
