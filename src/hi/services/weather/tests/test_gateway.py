"""The gateway: configuration checks without network, a connection test per source, and the station sync."""

from __future__ import annotations

import pytest

from hi.apps.entity.models import Entity
from hi.integrations import integration_factory, lifecycle
from hi.integrations.exceptions import ConfigurationError, IntegrationConnectionError
from hi.integrations.sync.engine import run_sync
from hi.services.weather.integration import WeatherGateway
from hi.services.weather.station import STATES
from hi.simulator.weather import WeatherSimulator


def attributes(sim: WeatherSimulator, **changes: str) -> dict[str, str]:
    return {**sim.integration_attributes(), **changes}


def gateway() -> WeatherGateway:
    found = integration_factory.get_gateway("weather")
    assert isinstance(found, WeatherGateway)
    return found


def test_defaults_fill_in_sources_units_and_public_addresses() -> None:
    cleaned = gateway().validate_configuration({"latitude": "41.9", "longitude": "-87.6", "nws_contact": "me@x.org"})
    assert cleaned["sources"] == "nws,openmeteo,sunrise_sunset" and cleaned["units"] == "metric"
    assert cleaned["nws_base_url"] == "https://api.weather.gov"
    assert cleaned["openmeteo_base_url"] == "https://api.open-meteo.com"
    assert cleaned["sunrise_sunset_base_url"] == "https://api.sunrise-sunset.org"


@pytest.mark.parametrize(("changes", "field", "text"), [
    ({"latitude": "91"}, "latitude", "at most 90"),
    ({"longitude": "east"}, "longitude", "number"),
    ({"sources": "nws,accuweather"}, "sources", "unknown source accuweather"),
    ({"sources": "nws,nws"}, "sources", "only once"),
    ({"units": "kelvin"}, "units", "choose one of"),
    ({"nws_base_url": "ftp://x"}, "nws_base_url", "http"),
    ({"nws_contact": ""}, "nws_contact", "contact"),
])
def test_bad_settings_are_refused_field_by_field(changes: dict[str, str], field: str, text: str) -> None:
    values = {"latitude": "41.9", "longitude": "-87.6", "nws_contact": "me@x.org", **changes}
    with pytest.raises(ConfigurationError) as raised:
        gateway().validate_configuration(values)
    assert field in raised.value.field_errors and text in raised.value.field_errors[field]


def test_no_contact_is_fine_without_nws() -> None:
    cleaned = gateway().validate_configuration({"latitude": "51.5", "longitude": "-0.1", "sources": "openmeteo"})
    assert cleaned["sources"] == "openmeteo"


def test_connection_test_asks_every_enabled_source(sim: WeatherSimulator) -> None:
    result = gateway().test_connection(attributes(sim), timeout=5)
    assert result.ok and set(result.details) == {"nws", "openmeteo", "sunrise_sunset"}
    assert "grid SIM" in result.details["nws"]


def test_connection_test_explains_a_point_outside_nws_coverage(sim: WeatherSimulator) -> None:
    result = gateway().test_connection(attributes(sim, latitude="51.5", longitude="-0.12"), timeout=5)
    assert not result.ok and "outside NWS coverage" in result.details["nws"]
    assert not result.details["openmeteo"].startswith("failed")


def test_a_source_failing_for_now_does_not_block_saving_when_another_answers(sim: WeatherSimulator) -> None:
    sim.fail("nws", 503)
    result = gateway().test_connection(attributes(sim), timeout=5)
    assert result.ok, result.message
    assert result.details["nws"].startswith("failed for now") and "serve until it is back" in result.details["nws"]
    assert not result.details["openmeteo"].startswith("failed")


def test_every_source_failing_blocks_saving(sim: WeatherSimulator) -> None:
    for source in ("nws", "openmeteo", "sunrise_sunset"):
        sim.fail(source, 503)
    assert not gateway().test_connection(attributes(sim), timeout=5).ok


@pytest.mark.django_db(transaction=True)
def test_configure_during_an_nws_outage_saves_and_names_the_failing_source(sim: WeatherSimulator) -> None:
    sim.fail("nws", 503)
    lifecycle.configure("weather", attributes(sim))
    from hi.integrations.models import Integration

    assert Integration.objects.get(integration_id="weather").attributes.filter(key="latitude").exists()


@pytest.mark.django_db(transaction=True)
def test_configure_then_sync_creates_one_station_with_every_state(sim: WeatherSimulator) -> None:
    lifecycle.configure("weather", attributes(sim, units="imperial"))
    report = run_sync("weather")
    assert report.applied
    station = Entity.objects.get(integration_id="weather", integration_name="station")
    states = {s.state_key: s for s in station.states.all()}
    assert set(states) == {state.key for state in STATES}
    assert states["temperature"].units == "°F" and states["pressure"].units == "inHg"
    assert states["forecast_hourly"].state_type == "multivalued"
    assert all(s.sensors.count() == 1 for s in states.values())
    assert sum(run_sync("weather").plan.counts.values()) == 0  # a second sync changes nothing


@pytest.mark.django_db(transaction=True)
def test_configure_refuses_when_no_source_answers_and_saves_nothing(sim: WeatherSimulator) -> None:
    sim.fail("openmeteo", 500)
    with pytest.raises(IntegrationConnectionError, match="openmeteo"):
        lifecycle.configure("weather", attributes(sim, sources="openmeteo"))
    from hi.integrations.models import Integration

    assert not Integration.objects.filter(integration_id="weather", attributes__isnull=False).exists()
