"""Integrations page: the form comes from attribute specs, secrets stay write-only, sync previews then applies."""

import pytest
from django.urls import reverse

from hi.apps.control.models import Controller, ControllerHistory, ControlOutcome
from hi.apps.entity.models import Entity
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration

from .webtoy import RIGHT_TOKEN, TOY_ID, ToyController

pytestmark = pytest.mark.django_db

GOOD = {"base_url": "http://127.0.0.1:9", "api_token": RIGHT_TOKEN, "poll_seconds": "30"}


def configure(client, **changes):
    return client.post(reverse("integration-configure", args=[TOY_ID]), {**GOOD, **changes})


def test_form_is_built_from_attribute_specs(client_in, toy):
    body = client_in.get(reverse("integration-configure", args=[TOY_ID])).content.decode()
    assert 'type="url"' in body and 'type="password"' in body and 'type="number"' in body
    assert "where the toy listens" in body and "not set" in body


def test_invalid_values_are_shown_inline_and_nothing_is_saved(client_in, toy):
    body = configure(client_in, base_url="not a url", poll_seconds="0").content.decode()
    assert "enter a full http:// or https:// address" in body and "must be at least 1" in body
    assert not Integration.objects.filter(integration_id=TOY_ID).exists()


def test_wrong_token_is_a_clear_error_and_never_echoed(client_in, toy):
    response = configure(client_in, api_token="wrong-secret-123")
    body = response.content.decode()
    assert response.status_code == 200 and "wrong token" in body and "Nothing was saved" in body
    assert "wrong-secret-123" not in body
    assert not Integration.objects.filter(integration_id=TOY_ID).exists()


def test_right_token_saves_and_secret_shows_only_as_set(client_in, toy):
    response = configure(client_in)
    assert response.status_code == 302 and response["Location"] == reverse("integrations")
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.CONFIGURED
    form = client_in.get(reverse("integration-configure", args=[TOY_ID])).content.decode()
    assert RIGHT_TOKEN not in form and ">set</span>" in form
    page = client_in.get(reverse("integrations")).content.decode()
    assert RIGHT_TOKEN not in page and "Needs sync" in page


def test_sync_preview_then_apply_reports_counts_and_names(client_in, toy):
    configure(client_in)
    preview = client_in.get(reverse("integration-sync", args=[TOY_ID]), HTTP_HX_REQUEST="true").content.decode()
    assert "Preview" in preview and "Create: <span class=\"sync-count\">2</span>" in preview and "Lamp" in preview
    assert not Entity.objects.filter(integration_id=TOY_ID).exists()
    result = client_in.post(reverse("integration-sync", args=[TOY_ID]), HTTP_HX_REQUEST="true").content.decode()
    assert "Sync done" in result and "Hall thermometer" in result
    assert Entity.objects.filter(integration_id=TOY_ID).count() == 2
    again = client_in.get(reverse("integration-sync", args=[TOY_ID]), HTTP_HX_REQUEST="true").content.decode()
    assert "already up to date" in again


def _enabled_and_synced(client_in):
    configure(client_in)
    client_in.post(reverse("integration-sync", args=[TOY_ID]))
    client_in.post(reverse("integration-lifecycle", args=[TOY_ID, "enable"]))
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.ACTIVE


def test_pause_resume(client_in, toy):
    _enabled_and_synced(client_in)
    client_in.post(reverse("integration-lifecycle", args=[TOY_ID, "pause"]))
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.PAUSED
    assert "Resume" in client_in.get(reverse("integrations")).content.decode()
    client_in.post(reverse("integration-lifecycle", args=[TOY_ID, "resume"]))
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.ACTIVE


def test_disable_previews_counts_then_keeps_user_data(client_in, toy):
    _enabled_and_synced(client_in)
    lamp = Entity.objects.get(integration_id=TOY_ID, name="Lamp")
    client_in.post(reverse("entity-rename", args=[lamp.id]), {"name": "My lamp"})
    preview = client_in.get(reverse("integration-disable", args=[TOY_ID])).content.decode()
    assert 'class="count-remove">1<' in preview and 'class="count-detach">1<' in preview
    client_in.post(reverse("integration-disable", args=[TOY_ID]), {"mode": "safe"})
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.DISABLED
    assert Entity.objects.get(pk=lamp.pk).is_detached


def test_control_goes_through_dispatch_and_shows_its_outcome(client_in, toy):
    _enabled_and_synced(client_in)
    controller = Controller.objects.get(integration_id=TOY_ID)
    body = client_in.post(reverse("control", args=[controller.id]), {"value": "on"}).content.decode()
    record = ControllerHistory.objects.get(controller=controller)
    assert ToyController.sent == [("light.lamp", "on")]
    assert record.requested_by == "web:alice" and 'data-outcome="sent"' in body and "hx-get" in body
    record.outcome = ControlOutcome.CONFIRMED
    record.save()
    final = client_in.get(reverse("control-status", args=[record.id])).content.decode()
    assert "Confirmed" in final and "hx-get" not in final


def test_a_bad_control_value_is_refused_in_words(client_in, toy):
    _enabled_and_synced(client_in)
    controller = Controller.objects.get(integration_id=TOY_ID)
    body = client_in.post(reverse("control", args=[controller.id]), {"value": "sideways"}).content.decode()
    assert 'data-outcome="failed"' in body and "sideways" in body
    assert not ControllerHistory.objects.exists()


def test_health_panel_shows_stored_health(client_in, toy):
    configure(client_in)
    Integration.objects.filter(integration_id=TOY_ID).update(last_error="cannot reach 192.0.2.5:8123",
                                                             health_details={"breaker": {"state": "open"}})
    body = client_in.get(reverse("integrations")).content.decode()
    assert "cannot reach 192.0.2.5:8123" in body and "Breaker state" in body and "open" in body
