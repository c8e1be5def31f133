"""Top-level URLs: the web UI, the REST API and the health probe."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("hi.apps.api.urls")),
    path("", include("hi.apps.web.urls")),
]
