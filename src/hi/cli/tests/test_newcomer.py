"""A newcomer's CLI: it finds the demo's data, keeps tables short and shows local time and availability."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from hi.apps.api.tests.factories import make_event, make_light
from hi.apps.entity.models import EntityState
from hi.cli import main as cli_main
from hi.integrations.enums import IntegrationStatus
from hi.integrations.models import Integration


@pytest.fixture
def bare_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HI_DATA_DIR", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path


def test_after_make_demo_commands_read_the_demo_data(bare_env, monkeypatch, capsys):
    (bare_env / "data" / "demo").mkdir(parents=True)
    (bare_env / "data" / "demo" / "hi.sqlite3").write_bytes(b"")
    cli_main._use_demo_data_when_alone("entities")
    assert os.environ["HI_DATA_DIR"] == str(bare_env / "data" / "demo")
    assert "using the demo's data in data/demo" in capsys.readouterr().err
    monkeypatch.delenv("HI_DATA_DIR")


def test_a_real_hub_in_data_is_never_redirected(bare_env):
    (bare_env / "data" / "demo").mkdir(parents=True)
    (bare_env / "data" / "demo" / "hi.sqlite3").write_bytes(b"")
    (bare_env / "data" / "hi.sqlite3").write_bytes(b"")
    cli_main._use_demo_data_when_alone("entities")
    assert "HI_DATA_DIR" not in os.environ


@pytest.mark.django_db
def test_entities_list_summarises_structured_values_and_marks_unavailable_states(hi):
    light = make_light(value="on")
    EntityState.objects.create(entity=light.entity, state_key="forecast", name="Hourly forecast",
                               state_type="multivalued", value=[{"t": i, "temperature": 3.5} for i in range(48)])
    Integration.objects.filter(integration_id=light.entity.integration_id).update(status=IntegrationStatus.PAUSED)
    status, out, _ = hi("entities", "list")
    assert status == 0
    assert "Hourly forecast=(48 items)" in out and "temperature" not in out
    assert "Power=on (unavailable)" in out


@pytest.mark.django_db
def test_events_list_shows_local_time(hi, settings, monkeypatch):
    monkeypatch.setenv("HI_TIME_ZONE", "America/Chicago")
    make_event(make_light(), dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC))
    status, out, _ = hi("events", "list")
    assert status == 0 and "2026-11-30 12:00:00 -0600" in out
