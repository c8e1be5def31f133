"""The whole lifecycle of an integration, end to end against the toy server over a real socket."""

from __future__ import annotations

import asyncio

import pytest

from hi.apps.control.confirmation import expire_unconfirmed
from hi.apps.control.dispatch import dispatch_control
from hi.apps.control.models import ControlOutcome
from hi.apps.entity.enums import AttributeSource
from hi.apps.entity.models import Entity, EntityAttribute, EntityState
from hi.integrations import lifecycle
from hi.integrations.enums import HealthStatus, IntegrationStatus
from hi.integrations.exceptions import (
    AuthenticationError,
    ConfigurationError,
    IntegrationConnectionError,
    IntegrationError,
)
from hi.integrations.models import Integration, IntegrationAttribute
from hi.integrations.sync.engine import run_sync
from hi.integrations.testing.fixtures import ToyContext
from hi.integrations.testing.gateway import ToyMonitor
from hi.utils.redaction import redact

pytestmark = pytest.mark.django_db
TOY = "toy"


def test_bad_values_give_field_errors_and_save_nothing(toy_gateway):
    with pytest.raises(ConfigurationError) as caught:
        lifecycle.configure(TOY, {"base_url": "not a url", "api_token": "", "colour": "red"})
    assert set(caught.value.field_errors) == {"base_url", "api_token", "colour"}
    assert "http" in caught.value.field_errors["base_url"]
    assert not Integration.objects.exists() and not IntegrationAttribute.objects.exists()


def test_refused_token_raises_authentication_error_and_saves_nothing(toy_gateway, toy_simulator):
    with pytest.raises(AuthenticationError) as caught:
        lifecycle.configure(TOY, {"base_url": toy_simulator.url, "api_token": "wrong-token-123"})
    assert "refused" in caught.value.message and "wrong-token-123" not in str(caught.value)
    assert not Integration.objects.exists()


def test_unreachable_server_raises_connection_error(toy_gateway, toy_simulator):
    url = toy_simulator.url
    toy_simulator.run_coroutine(toy_simulator.stop())
    with pytest.raises(IntegrationConnectionError):
        lifecycle.configure(TOY, {"base_url": url, "api_token": "whatever-token"}, timeout=2)
    assert not Integration.objects.exists()


def test_good_configuration_is_saved_with_secrets_masked(toy_gateway, toy_attributes):
    result = lifecycle.configure(TOY, toy_attributes)
    assert result["status"] == "success" and "reached the toy server" in result["message"]
    integration = Integration.objects.get(integration_id=TOY)
    assert integration.status == IntegrationStatus.CONFIGURED and integration.config_version == 1
    token = integration.attributes.get(key="api_token")
    assert token.is_secret and token.display_value == "set"
    assert toy_attributes["api_token"] not in redact(f"token {toy_attributes['api_token']}")


def test_reconfiguring_keeps_a_blank_secret_and_bumps_the_version(toy_gateway, toy_attributes):
    lifecycle.configure(TOY, toy_attributes)
    lifecycle.enable(TOY)
    lifecycle.configure(TOY, {**toy_attributes, "api_token": "", "poll_interval": "2"})
    integration = Integration.objects.get(integration_id=TOY)
    assert integration.config_version == 2 and integration.status == IntegrationStatus.ACTIVE
    values = integration.attribute_values()
    assert values["api_token"] == toy_attributes["api_token"] and values["poll_interval"] == "2.0"


def test_enable_requires_configuration(toy_gateway):
    with pytest.raises(ConfigurationError, match="not configured"):
        lifecycle.enable(TOY)


def test_pause_and_resume(toy_gateway, toy_attributes):
    lifecycle.configure(TOY, toy_attributes)
    with pytest.raises(IntegrationError, match="only an active integration can be paused"):
        lifecycle.pause(TOY)
    lifecycle.enable(TOY)
    assert toy_gateway.active
    lifecycle.pause(TOY)
    assert Integration.objects.get().status == IntegrationStatus.PAUSED and not toy_gateway.active
    lifecycle.resume(TOY)
    assert Integration.objects.get().status == IntegrationStatus.ACTIVE and toy_gateway.active


def test_sync_creates_entities_and_a_second_sync_changes_nothing(toy_integration):
    assert sorted(Entity.objects.values_list("name", flat=True)) == [
        "Garden thermometer", "Hall dimmer", "Kitchen light", "Porch motion"]
    assert Integration.objects.get().last_sync_at is not None
    report = run_sync(TOY)
    assert report.changed_nothing


def test_dry_run_reports_without_writing(toy_integration, toy_simulator):
    toy_simulator.add_device("attic", "Attic light", "light")
    report = run_sync(TOY, dry_run=True)
    assert report.to_dict()["names"]["create"] == ["Attic light"] and not report.applied
    assert not Entity.objects.filter(name="Attic light").exists()


def test_user_rename_survives_resync(toy_integration, toy_simulator):
    kitchen = Entity.objects.get(integration_name="kitchen")
    kitchen.name = "Cooking corner"
    kitchen.mark_user_field("name")
    kitchen.save()
    toy_simulator.rename_device("kitchen", "Kitchen ceiling")
    toy_simulator.rename_device("hall", "Hallway dimmer")
    report = run_sync(TOY)
    assert Entity.objects.get(integration_name="kitchen").name == "Cooking corner"
    assert Entity.objects.get(integration_name="hall").name == "Hallway dimmer"
    assert report.counts["update"] == 2


def test_removed_device_is_detached_then_reconnected(toy_integration, toy_simulator):
    toy_simulator.remove_device("porch")
    assert run_sync(TOY).counts["detach"] == 1
    porch = Entity.objects.get(name="Porch motion")
    assert porch.is_detached
    toy_simulator.add_device("porch", "Porch motion", "motion")
    assert run_sync(TOY).counts["reconnect"] == 1
    porch.refresh_from_db()
    assert str(porch.integration_key) == "toy:porch"


@pytest.mark.django_db(transaction=True)
def test_control_is_confirmed_by_a_later_response(toy_integration, toy_simulator):
    monitor = ToyMonitor()
    context = ToyContext(attributes=toy_integration.attribute_values())
    asyncio.run(monitor.poll(context))  # the first poll is a full resync
    record = dispatch_control("toy:kitchen", "ON", requested_by="test")
    assert record.outcome == ControlOutcome.SENT and record.requested_value == "on"
    assert record.latency_ms is not None and toy_simulator.value_of("kitchen") == "on"
    asyncio.run(monitor.poll(context))
    record.refresh_from_db()
    assert record.outcome == ControlOutcome.CONFIRMED
    assert EntityState.objects.get(entity__integration_name="kitchen").value == "on"


def test_control_that_nobody_confirms_becomes_unconfirmed(toy_integration, toy_simulator):
    toy_simulator.confirm_controls = False
    record = dispatch_control("toy:hall", "40", requested_by="test")
    assert record.outcome == ControlOutcome.SENT and record.requested_value == 40
    assert expire_unconfirmed(timeout_seconds=0) == 1
    record.refresh_from_db()
    assert record.outcome == ControlOutcome.UNCONFIRMED


def test_control_rejected_by_the_system_is_recorded_as_failed(toy_integration, toy_simulator):
    EntityState.objects.filter(entity__integration_name="hall").update(value_range={"min": 0, "max": 500})
    record = dispatch_control("toy:hall", 200, requested_by="test")
    assert record.outcome == ControlOutcome.FAILED and "from 0 to 100" in record.message


def test_paused_integration_refuses_control(toy_integration):
    lifecycle.pause(TOY)
    with pytest.raises(IntegrationError, match="paused"):
        dispatch_control("toy:kitchen", "on", requested_by="test")


def _give_user_data(name: str) -> None:
    EntityAttribute.objects.create(entity=Entity.objects.get(integration_name=name), name="note",
                                   value="mine", source=AttributeSource.USER)


def test_disable_safe_keeps_entities_with_user_data_detached(toy_integration):
    _give_user_data("kitchen")
    preview = lifecycle.disable_preview(TOY, "safe")
    assert (preview["remove"], preview["detach"], preview["detach_names"]) == (3, 1, ["Kitchen light"])
    result = lifecycle.disable(TOY, "safe")
    assert result["status"] == "success"
    kitchen = Entity.objects.get()
    assert kitchen.is_detached and kitchen.detached_key == "toy:kitchen"
    integration = Integration.objects.get()
    assert integration.status == IntegrationStatus.DISABLED and integration.health_status == HealthStatus.DISABLED


def test_disable_all_removes_everything(toy_integration):
    _give_user_data("kitchen")
    assert lifecycle.disable_preview(TOY, "all")["remove"] == 4
    lifecycle.disable(TOY, "all")
    assert not Entity.objects.exists()


def test_disable_rejects_an_unknown_mode(toy_integration):
    with pytest.raises(ConfigurationError, match="safe, all"):
        lifecycle.disable(TOY, "sometimes")
    assert Integration.objects.get().status == IntegrationStatus.ACTIVE


def test_disabled_then_reenabled_reconnects_kept_entities(toy_integration):
    _give_user_data("kitchen")
    lifecycle.disable(TOY, "safe")
    lifecycle.enable(TOY)
    report = run_sync(TOY)
    assert report.counts["reconnect"] == 1 and report.counts["create"] == 3


def test_connection_test_is_bounded_by_its_timeout(toy_gateway, toy_simulator):
    toy_simulator.faults.set("stall", seconds=2)
    with pytest.raises(IntegrationConnectionError, match="did not answer"):
        lifecycle.configure(TOY, {"base_url": toy_simulator.url, "api_token": "toy-secret-token-4711"},
                            timeout=0.3)
    assert not Integration.objects.exists()


def test_garbled_inventory_is_a_clear_error_and_changes_nothing(toy_integration, toy_simulator):
    toy_simulator.faults.set("non_json")
    with pytest.raises(IntegrationError, match="not JSON"):
        run_sync(TOY)
    assert Entity.objects.count() == 4


def test_configure_accepts_values_that_are_not_text(toy_gateway, toy_attributes):
    lifecycle.configure(TOY, {**toy_attributes, "poll_interval": 5})
    assert Integration.objects.get().attribute_values()["poll_interval"] == "5.0"
