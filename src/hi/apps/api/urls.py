"""``/api/v1/``: the ninja API (its own auth, so exempt from the login redirect) and the SSE stream."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path

from .api import api
from .stream import stream


def _exempt(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The API answers 401 JSON itself; LoginRequiredMiddleware must not redirect it to a login page."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _exempt(pattern.url_patterns)
        else:
            login_not_required(pattern.callback)
    return patterns


_api_patterns, _app_name, _namespace = api.urls

urlpatterns = [
    path("stream", stream, name="api-stream"),
    path("", (_exempt(list(_api_patterns)), _app_name, _namespace)),
]
