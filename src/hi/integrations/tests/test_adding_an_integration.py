"""docs/adding-an-integration.md, step by step, with the test-only toy integration.

If a step stops working as the guide writes it, this fails. The toy lives in
``hi.integrations.testing`` (not a Django app of its own), so steps 1 and 2 are checked on a fresh
``startapp`` and on the shipped services; steps 3 to 6 on the toy, registered exactly as step 5 says.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings

from hi.apps.control.models import ControlOutcome
from hi.apps.entity.models import EntityState
from hi.integrations import integration_factory
from hi.integrations.exceptions import ConfigurationError
from hi.integrations.integration_gateway import IntegrationGateway, MediaUrls
from hi.integrations.monitor import PeriodicMonitor
from hi.integrations.testing import gateway as toy_module
from hi.integrations.testing.fixtures import ToyContext
from hi.integrations.testing.gateway import ToyGateway
from hi.operations import actions

ROOT = Path(__file__).resolve().parents[4]


def test_step_1_the_startapp_command_as_written_makes_an_app(tmp_path: Path):
    target = tmp_path / "myintegration"
    target.mkdir()
    subprocess.run([sys.executable, str(ROOT / "src" / "manage.py"), "startapp", "myintegration", str(target)],
                   check=True, cwd=ROOT, capture_output=True, timeout=120)
    assert (target / "apps.py").exists() and (target / "models.py").exists()


def test_step_2_every_registered_service_is_an_installed_app_named_by_its_package():
    for integration_id, target in integration_factory._REGISTRY.items():
        package = target.partition(":")[0].rsplit(".", 1)[0]
        assert package in settings.INSTALLED_APPS, integration_id
        assert apps.get_containing_app_config(target.partition(":")[0]).name == package


@pytest.fixture
def registered(monkeypatch):
    """Step 5 as written: one line in ``_REGISTRY`` (not the tests' ``register()`` shortcut)."""
    ToyGateway.reset_instance()
    monkeypatch.setitem(integration_factory._REGISTRY, toy_module.TOY, "hi.integrations.testing.gateway:ToyGateway")
    yield
    ToyGateway.reset_instance()


def test_steps_3_to_5_one_id_a_gateway_and_one_registry_line(registered):
    assert ToyGateway.integration_id == toy_module.TOY  # step 3: the id is declared once and reused
    assert issubclass(ToyGateway, IntegrationGateway)  # step 4
    assert integration_factory.get_gateway_class(toy_module.TOY) is ToyGateway  # step 5
    assert toy_module.TOY in integration_factory.available_integration_ids()
    device = SimpleNamespace(integration_id=toy_module.TOY, integration_name="kitchen", integration_payload={})
    assert ToyGateway().media_urls(device) == MediaUrls() and ToyGateway().presentation(device) is None


def test_step_5_refuses_a_registration_under_another_id(monkeypatch):
    monkeypatch.setitem(integration_factory._REGISTRY, "other", "hi.integrations.testing.gateway:ToyGateway")
    with pytest.raises(ConfigurationError, match="registered as 'other'"):
        integration_factory.get_gateway_class("other")


@pytest.mark.django_db(transaction=True)
def test_step_6_the_generic_parts_run_the_new_integration_end_to_end(registered, toy_simulator, toy_attributes):
    """Configure (connection tested), enable, sync, a monitor poll, and a confirmed control — no toy code
    outside its own module was needed, and every face would get the same through ``hi.operations``."""
    actions.configure(toy_module.TOY, toy_attributes)
    assert actions.lifecycle_action(toy_module.TOY, "enable").integration["status"] == "active"
    assert actions.sync(toy_module.TOY).counts["create"] == 4
    monitor = ToyGateway().get_monitor(None)
    assert isinstance(monitor, PeriodicMonitor)
    context = ToyContext(attributes=toy_attributes)
    asyncio.run(monitor.poll(context))
    record = actions.control("toy:kitchen", "on", "guide")
    asyncio.run(monitor.poll(context))
    record.refresh_from_db()
    assert record.outcome == ControlOutcome.CONFIRMED
    assert EntityState.objects.get(entity__integration_name="kitchen").value == "on"
