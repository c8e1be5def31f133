"""URLs of the web UI, mounted at ``/``."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView

from .views import (
    alarm,
    alarm_rules,
    attributes,
    collections,
    entity,
    events,
    home,
    integrations,
    live,
    pages,
    places,
    settings,
)

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
    path("controllers/<int:controller_id>/code", entity.control_code, name="control-code"),
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
    path("entities/<int:entity_id>/place", places.assign, name="entity-place"),
    path("places/", places.index, name="places"),
    path("places/things/add", places.add_thing, name="thing-add"),
    path("entities/<int:entity_id>/link", places.link, name="entity-link"),
    path("collections/", collections.index, name="collections"),
    path("collections/create", collections.create, name="collection-create"),
    path("collections/<int:collection_id>/", collections.detail, name="collection"),
    path("collections/<int:collection_id>/save", collections.save, name="collection-save"),
    path("collections/<int:collection_id>/add", collections.add, name="collection-add"),
    path("collections/<int:collection_id>/remove/<int:entity_id>", collections.remove, name="collection-remove"),
    path("collections/<int:collection_id>/delete", collections.delete, name="collection-delete"),
    path("places/add", places.add, name="place-add"),
    path("places/<int:location_id>/edit", places.edit, name="place-edit"),
    path("places/<int:location_id>/delete", places.delete, name="place-delete"),
    path("places/panel/<int:entity_id>", places.entity_panel, name="entity-panel"),
    path("places/<int:location_id>/plan", places.plan_view, name="plan"),
    path("places/<int:location_id>/plan/edit", places.plan_edit, name="plan-edit"),
    path("places/<int:location_id>/plan/upload", places.plan_upload, name="plan-upload"),
    path("places/<int:location_id>/plan/placements", places.plan_placements, name="plan-placements"),
    path("places/<int:location_id>/plan/image", places.plan_image, name="plan-image"),
    path("places/<int:location_id>/kiosk", places.plan_kiosk, name="plan-kiosk"),
    path("events/", events.timeline, name="events"),
    path("cameras/", pages.cameras, name="cameras"),
    path("weather/", pages.weather, name="weather"),
    path("health/", pages.health, name="system-health"),
    path("settings/", settings.page, name="settings"),
    path("favicon.ico", favicon, name="favicon"),
    path("alerts/", alarm.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", alarm.alert, name="alert"),
    path("alerts/<int:alert_id>/ack", alarm.ack, name="alert-ack"),
    path("mode", alarm.mode, name="alarm-mode"),
    path("rules/", alarm_rules.rules, name="rules"),
    path("rules/new", alarm_rules.edit, name="rule-new"),
    path("rules/<int:rule_id>/", alarm_rules.edit, name="rule-edit"),
    path("rules/<int:rule_id>/<str:action>", alarm_rules.action, name="rule-action"),
    path("rules/value-field", alarm_rules.value_field, name="rule-value-field"),
]
