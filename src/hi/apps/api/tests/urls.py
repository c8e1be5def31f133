"""Only the API, so these tests do not depend on the web UI's URLs."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("hi.apps.api.urls"))]
