"""The shared fault injector against the HomeBox client: retries, re-login, bad bodies, an unreachable server."""

from __future__ import annotations

import pytest

from hi.integrations.exceptions import DataValidationError, IntegrationConnectionError
from hi.services.homebox.client import HomeBoxClient
from hi.simulator.homebox import HomeBoxSimulator

from .conftest import FAST_RETRY, settings_for


@pytest.fixture
def demo():
    simulator = HomeBoxSimulator("demo")
    with simulator.running_in_thread():
        yield simulator


def client_for(sim: HomeBoxSimulator) -> HomeBoxClient:
    return HomeBoxClient(settings_for(sim), retry=FAST_RETRY, use_breaker=False)


def test_a_burst_of_503s_is_retried(demo):
    with client_for(demo) as client:
        client.items()
        demo.faults.set("error_burst", status=503, count=2, paths=["/api/v1/entities"])
        assert len(client.items()) == 8


def test_one_unauthorized_answer_costs_one_new_login(demo):
    with client_for(demo) as client:
        client.items()
        demo.faults.set("unauthorized", count=1, paths=["/api/v1/entities"])
        assert client.items()
        assert demo.state.logins == 2


def test_a_body_that_is_not_json_or_lacks_fields_is_a_clear_data_error(demo):
    with client_for(demo) as client:
        client.status()
        demo.faults.set("non_json", paths=["/api/v1/entities"])
        with pytest.raises(DataValidationError):
            client.items()
        demo.faults.clear()
        demo.faults.set("schema_drift", remove=["id"], paths=["/api/v1/entities"])
        with pytest.raises(DataValidationError):
            client.items()


def test_an_unreachable_server_is_a_connection_error(demo):
    with client_for(demo) as client:
        demo.faults.set("refuse")
        with pytest.raises(IntegrationConnectionError):
            client.status()
