"""Integrations page: the form comes from attribute specs, secrets stay write-only, sync previews then applies."""

import pytest
from django.urls import reverse

from hi.apps.control.models import Controller, ControllerHistory, ControlOutcome
from hi.apps.entity.models import Entity
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration
from hi.integrations.testing.gateway import TOY as TOY_ID
from hi.integrations.testing.simulator import TOY_TOKEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def configure(toy_gateway, toy_attributes):
    """Post the configure form: the toy simulator's address and token, with ``changes`` applied."""

    def post(client, **changes):
        return client.post(reverse("integration-configure", args=[TOY_ID]), {**toy_attributes, **changes})

    return post


def test_form_is_built_from_attribute_specs(client_in, toy_gateway):
    body = client_in.get(reverse("integration-configure", args=[TOY_ID])).content.decode()
    assert 'type="url"' in body and 'type="password"' in body and 'type="number"' in body
    assert "not set" in body
    zoneminder = client_in.get(reverse("integration-configure", args=["zoneminder"])).content.decode()
    assert "a ZoneMinder user with API access" in zoneminder


def test_invalid_values_are_shown_inline_and_nothing_is_saved(client_in, configure):
    body = configure(client_in, base_url="not a url", poll_interval="0").content.decode()
    assert "enter a full http:// or https:// address" in body and "must be at least 0.01" in body
    assert not Integration.objects.filter(integration_id=TOY_ID).exists()


def test_wrong_token_is_a_clear_error_and_never_echoed(client_in, configure):
    response = configure(client_in, api_token="wrong-secret-123")
    body = response.content.decode()
    assert response.status_code == 200 and "refused the API token" in body and "Nothing was saved" in body
    assert "wrong-secret-123" not in body
    assert not Integration.objects.filter(integration_id=TOY_ID).exists()


def test_right_token_saves_and_secret_shows_only_as_set(client_in, configure):
    response = configure(client_in)
    assert response.status_code == 302 and response["Location"] == reverse("integrations")
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.CONFIGURED
    form = client_in.get(reverse("integration-configure", args=[TOY_ID])).content.decode()
    assert TOY_TOKEN not in form and ">set</span>" in form
    page = client_in.get(reverse("integrations")).content.decode()
    assert TOY_TOKEN not in page and "Needs sync" in page


def test_sync_preview_then_apply_reports_counts_and_names(client_in, configure):
    configure(client_in)
    preview = client_in.get(reverse("integration-sync", args=[TOY_ID]), HTTP_HX_REQUEST="true").content.decode()
    assert "Preview" in preview and "Create: <span class=\"sync-count\">4</span>" in preview
    assert "Kitchen light" in preview
    assert not Entity.objects.filter(integration_id=TOY_ID).exists()
    result = client_in.post(reverse("integration-sync", args=[TOY_ID]), HTTP_HX_REQUEST="true").content.decode()
    assert "Sync done" in result and "Garden thermometer" in result
    assert Entity.objects.filter(integration_id=TOY_ID).count() == 4
    again = client_in.get(reverse("integration-sync", args=[TOY_ID]), HTTP_HX_REQUEST="true").content.decode()
    assert "already up to date" in again


def _enabled_and_synced(client_in, configure):
    configure(client_in)
    client_in.post(reverse("integration-sync", args=[TOY_ID]))
    client_in.post(reverse("integration-lifecycle", args=[TOY_ID, "enable"]))
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.ACTIVE


def test_pause_resume(client_in, configure):
    _enabled_and_synced(client_in, configure)
    client_in.post(reverse("integration-lifecycle", args=[TOY_ID, "pause"]))
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.PAUSED
    assert "Resume" in client_in.get(reverse("integrations")).content.decode()
    client_in.post(reverse("integration-lifecycle", args=[TOY_ID, "resume"]))
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.ACTIVE


def test_disable_previews_counts_then_keeps_user_data(client_in, configure):
    _enabled_and_synced(client_in, configure)
    lamp = Entity.objects.get(integration_id=TOY_ID, name="Kitchen light")
    client_in.post(reverse("entity-rename", args=[lamp.id]), {"name": "My lamp"})
    preview = client_in.get(reverse("integration-disable", args=[TOY_ID])).content.decode()
    assert 'class="count-remove">3<' in preview and 'class="count-detach">1<' in preview
    client_in.post(reverse("integration-disable", args=[TOY_ID]), {"mode": "safe"})
    assert Integration.objects.get(integration_id=TOY_ID).status == IntegrationStatus.DISABLED
    assert Entity.objects.get(pk=lamp.pk).is_detached


def test_control_goes_through_dispatch_and_shows_its_outcome(client_in, configure, toy_simulator):
    _enabled_and_synced(client_in, configure)
    controller = Controller.objects.get(integration_id=TOY_ID, integration_name="kitchen")
    body = client_in.post(reverse("control", args=[controller.id]), {"value": "on"}).content.decode()
    record = ControllerHistory.objects.get(controller=controller)
    assert toy_simulator.value_of("kitchen") == "on"
    assert record.requested_by == "web:alice" and 'data-outcome="sent"' in body and "hx-get" in body
    record.outcome = ControlOutcome.CONFIRMED
    record.save()
    final = client_in.get(reverse("control-status", args=[record.id])).content.decode()
    assert "Confirmed" in final and "hx-get" not in final


def test_a_bad_control_value_is_refused_in_words(client_in, configure):
    _enabled_and_synced(client_in, configure)
    controller = Controller.objects.get(integration_id=TOY_ID, integration_name="kitchen")
    body = client_in.post(reverse("control", args=[controller.id]), {"value": "sideways"}).content.decode()
    assert 'data-outcome="failed"' in body and "sideways" in body
    assert not ControllerHistory.objects.exists()


def test_health_panel_shows_stored_health(client_in, configure):
    configure(client_in)
    Integration.objects.filter(integration_id=TOY_ID).update(last_error="cannot reach 192.0.2.5:8123",
                                                             health_details={"breaker": {"state": "open"}})
    body = client_in.get(reverse("integrations")).content.decode()
    assert "cannot reach 192.0.2.5:8123" in body and "Breaker state" in body and "open" in body
