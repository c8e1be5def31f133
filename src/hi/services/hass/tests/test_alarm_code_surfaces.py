"""The alarm code through every surface: the UI's prompt and stored code, the API body and the CLI flag.
Wherever it goes in, it never comes back out (pages, answers, history, logs)."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from hi.apps.access.testing import make_user, token_owner
from hi.apps.api.models import ApiToken
from hi.apps.control.models import ControlCode, Controller, ControllerHistory, ControlOutcome
from hi.cli.main import main as cli_main
from hi.integrations.sync.engine import run_sync
from hi.services.hass.testing import configure
from hi.simulator.hass import HassSimulator
from hi.simulator.hass.demo_home import ALARM_CODE, reveals_alarm_code

pytestmark = pytest.mark.django_db(transaction=True)
PANEL = "alarm_control_panel.security"


@pytest.fixture
def panel(threaded_sim: HassSimulator) -> Controller:
    configure(threaded_sim)
    run_sync("hass")
    return Controller.objects.select_related("entity_state").get(integration_id="hass", integration_name=PANEL)


@pytest.fixture
def browser() -> Client:
    client = Client()
    client.force_login(make_user("alice", password="correct horse battery"))
    return client


def test_the_page_asks_for_the_code_and_can_keep_it_without_showing_it(
        panel: Controller, browser: Client, threaded_sim: HassSimulator) -> None:
    page = reverse("entity", args=[panel.entity_state.entity_id])
    assert 'name="code"' in browser.get(page).content.decode()
    body = browser.post(reverse("control", args=[panel.id]), {"value": "armed_home", "code": ALARM_CODE})
    assert not reveals_alarm_code(body.content.decode())
    assert threaded_sim.state_of(PANEL)["state"] == "armed_home"
    browser.post(reverse("control-code", args=[panel.id]), {"code": ALARM_CODE})
    assert ControlCode.objects.get(controller=panel).code == ALARM_CODE
    shown = browser.get(page).content.decode()
    assert "Code stored" in shown and not reveals_alarm_code(shown)
    browser.post(reverse("control", args=[panel.id]), {"value": "disarmed"})  # the stored code is used
    assert threaded_sim.state_of(PANEL)["state"] == "disarmed"
    browser.post(reverse("control-code", args=[panel.id]), {"forget": "1"})
    assert not ControlCode.objects.exists()


def test_the_api_takes_a_code_in_the_control_body_and_never_echoes_it(panel: Controller, client: Client,
                                                                      threaded_sim: HassSimulator) -> None:
    _, token = ApiToken.issue("tests", user=token_owner())
    answer = client.post("/api/v1/control", json.dumps({"key": f"hass:{PANEL}", "value": "armed_night",
                                                        "code": ALARM_CODE}),
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200, answer.content
    assert not reveals_alarm_code(answer.content.decode())
    assert answer.json()["outcome"] == ControlOutcome.CONFIRMED
    assert threaded_sim.state_of(PANEL)["state"] == "armed_night"


def test_the_cli_takes_code_and_keeps_it_out_of_history_and_logs(panel: Controller, threaded_sim: HassSimulator,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert cli_main(["control", f"hass:{PANEL}", "armed_away", "--code", ALARM_CODE]) == 0
    assert threaded_sim.state_of(PANEL)["state"] == "armed_away"
    out = capsys.readouterr()
    assert not reveals_alarm_code(out.out + out.err) and not reveals_alarm_code(caplog.text)
    assert not reveals_alarm_code(repr(list(ControllerHistory.objects.values())))
