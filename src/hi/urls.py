"""Top-level URLs: the web UI, the REST API and the health probe."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/webhooks/", include("hi.integrations.webhook_urls")),
    path("api/v1/", include("hi.apps.api.urls")),
    path("zoneminder/", include("hi.services.zoneminder.urls")),
    path("hass/", include("hi.services.hass.urls")),
    path("homebox/", include("hi.services.homebox.urls")),
    path("", include("hi.apps.web.urls")),
]
