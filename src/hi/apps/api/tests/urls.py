"""The API plus stand-ins for the UI's named pages, so these tests do not depend on the web UI."""

from django.http import HttpResponse
from django.urls import include, path


def _placeholder(request):
    return HttpResponse("placeholder")


def csrf_failure(request, reason=""):
    """Stand-in for the UI's CSRF page (which links to UI pages these tests do not mount)."""
    return HttpResponse("csrf", status=403)


urlpatterns = [
    path("api/v1/", include("hi.apps.api.urls")),
    path("login/", _placeholder, name="login"),
    path("", _placeholder, name="home"),
]
