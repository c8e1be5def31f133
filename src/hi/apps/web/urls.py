"""URLs of the web UI, mounted at ``/``."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from .views import attributes, entity, events, home, integrations, live, pages, settings

# Browsers ask for /favicon.ico on every page, signed in or not: answer with the bundled icon.
favicon = login_not_required(RedirectView.as_view(url=static("web/favicon.svg"), permanent=True))

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("live/stream", live.stream, name="live-stream"),
    path("entities/<int:entity_id>/", entity.detail, name="entity"),
    path("entities/<int:entity_id>/rename", entity.rename, name="entity-rename"),
    path("entities/<int:entity_id>/history.json", entity.history_json, name="entity-history"),
    path("controllers/<int:controller_id>/control", entity.control, name="control"),
    path("control-requests/<int:request_id>", entity.control_status, name="control-status"),
    path("entities/<int:entity_id>/attributes/add", attributes.add, name="attribute-add"),
    path("attributes/<int:attribute_id>/edit", attributes.edit, name="attribute-edit"),
    path("attributes/<int:attribute_id>/delete", attributes.delete, name="attribute-delete"),
    path("attributes/<int:attribute_id>/file", attributes.download, name="attribute-file"),
    path("integrations/", integrations.index, name="integrations"),
    path("integrations/<str:integration_id>/configure", integrations.configure, name="integration-configure"),
    path("integrations/<str:integration_id>/sync", integrations.sync, name="integration-sync"),
    path("integrations/<str:integration_id>/lifecycle/<str:action>", integrations.lifecycle_action,
         name="integration-lifecycle"),
    path("integrations/<str:integration_id>/disable", integrations.disable, name="integration-disable"),
    path("events/", events.timeline, name="events"),
    path("cameras/", pages.cameras, name="cameras"),
    path("weather/", pages.weather, name="weather"),
    path("health/", pages.health, name="system-health"),
    path("settings/", settings.page, name="settings"),
    path("favicon.ico", favicon, name="favicon"),
]
