"""The NinjaAPI instance: authentication, error shapes, and the routers under ``/api/v1/``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import NoReverseMatch
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.parser import Parser

from hi.apps.alarm.alerts import AlertError, AlertNotFound
from hi.apps.alarm.conditions import RuleError
from hi.apps.alarm.modes import ModeError
from hi.apps.alarm.notify import ChannelError, ChannelNotFound
from hi.apps.alarm.rules import RuleNotFound
from hi.apps.places.operations import PlaceError, PlaceNotFound
from hi.integrations.exceptions import ConfigurationError, IntegrationError
from hi.operations.queries import BadInput, NotFound
from hi.utils.numbers import NonFiniteNumber, loads_finite
from hi.utils.params import ParameterError

from .auth import API_AUTH, bearer_from_header


class FiniteJsonParser(Parser):
    """Request bodies read with :func:`hi.utils.numbers.loads_finite`: NaN and Infinity never reach a route."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return loads_finite(request.body)


def _docs_need_login(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The OpenAPI document and docs page follow the hub's rule: login (or a token) first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from .models import ApiToken

        token = bearer_from_header(request)
        if request.user.is_authenticated or (token and ApiToken.authenticate(token)):
            return view(request, *args, **kwargs)
        if not request.path.endswith(".json"):
            with contextlib.suppress(NoReverseMatch):  # no login page (API-only setups): plain 401
                return redirect_to_login(request.get_full_path())
        return JsonResponse({"detail": "Unauthorized"}, status=401)

    return wrapper


api = NinjaAPI(
    title="hi — home information hub",
    version="1",
    description="Entities, states, events, control and integrations of the hub. "
                "Authenticate with `Authorization: Bearer <token>` (create one with `hi tokens create NAME`) "
                "or a logged-in browser session.\n\n"
                "**Live stream** — `GET /api/v1/stream` (same authentication; `?keepalive=SECONDS`, default 15) is a "
                "server-sent event stream:\n\n"
                "- `state`: each committed state change, `{entity_id, state_id, integration_keys, value, timestamp, "
                "available, stale, unavailable_reason}`;\n"
                "- `health`: one per integration when the stream opens, then one whenever an integration's health or "
                "the availability it gives its states changes, `{integration_id, label, status, health_status, message, "
                "available, stale, unavailable_reason, since}` (the availability holds for every state of the "
                "entities with that `integration_id`);\n"
                "- `alert` and `mode`: alarm news; `resync`: the reader fell behind, re-read what you show.",
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    docs_decorator=_docs_need_login,
    parser=FiniteJsonParser(),
)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own errors; a body refused for a non-finite number says so instead of "Cannot parse"."""
    detail = str(exc.__cause__) if isinstance(exc.__cause__, NonFiniteNumber) else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(ParameterError)
@api.exception_handler(RuleError)
def _bad_field(request: HttpRequest, exc: ParameterError | RuleError) -> HttpResponse:
    """A parameter out of range (hi.utils.params) or an invalid rule (``conditions[0].value``; nothing was
    saved): 400 naming the field."""
    return api.create_response(request, {"detail": str(exc), "field": exc.field}, status=400)


@api.exception_handler(PlaceError)
@api.exception_handler(BadInput)
@api.exception_handler(ModeError)
@api.exception_handler(ChannelError)
@api.exception_handler(AlertError)
def _bad_input(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(NotFound)
@api.exception_handler(PlaceNotFound)
@api.exception_handler(RuleNotFound)
@api.exception_handler(AlertNotFound)
@api.exception_handler(ChannelNotFound)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=404)


@api.exception_handler(ConfigurationError)
def _bad_configuration(request: HttpRequest, exc: ConfigurationError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field_errors": exc.field_errors}, status=400)


@api.exception_handler(IntegrationError)
def _integration_error(request: HttpRequest, exc: IntegrationError) -> HttpResponse:
    """The external system failed us: 502, with the (redacted) reason."""
    return api.create_response(request, {"detail": exc.message, "transient": exc.transient}, status=502)


from .routes_alarm import router as alarm_router  # noqa: E402
from .routes_integrations import router as integrations_router  # noqa: E402
from .routes_model import router as model_router  # noqa: E402
from .routes_places import router as places_router  # noqa: E402
from .routes_series import router as series_router  # noqa: E402
from .routes_system import router as system_router  # noqa: E402

api.add_router("/integrations", integrations_router)
api.add_router("/", model_router)
api.add_router("/", places_router)
api.add_router("/", series_router)
api.add_router("/", system_router)
api.add_router("/", alarm_router)
