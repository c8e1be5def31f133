"""Integration settings refuse non-finite numbers and base URLs carrying more than an address (audit finding 6)."""

from __future__ import annotations

import pytest

from hi.integrations.attributes import AttributeSpec, clean_attributes
from hi.integrations.enums import AttributeType
from hi.integrations.exceptions import ConfigurationError

SPECS = (
    AttributeSpec("latitude", "Latitude", AttributeType.FLOAT, min_value=-90, max_value=90),
    AttributeSpec("interval", "Interval", AttributeType.INTEGER, required=False, default="60"),
    AttributeSpec("base_url", "Address", AttributeType.URL),
)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e400", "-Infinity"])
def test_non_finite_numbers_are_refused(value):
    with pytest.raises(ConfigurationError) as refused:
        clean_attributes(SPECS, {"latitude": value, "base_url": "http://x.local"})
    assert "latitude" in refused.value.field_errors
    assert "enter a number" in refused.value.field_errors["latitude"]


@pytest.mark.parametrize("value", ["http://x.local/?token=LEAKME123", "http://x.local/\r\nX-Injected: 1", "http://u:p@x.local",
                                   "http://x.local/#top"])
def test_base_urls_are_checked_by_the_shared_validator(value):
    with pytest.raises(ConfigurationError) as refused:
        clean_attributes(SPECS, {"latitude": "1", "base_url": value})
    assert set(refused.value.field_errors) == {"base_url"}


def test_weather_latitude_nan_is_refused_from_the_command_line(db, capsys):
    from hi.cli.main import main

    # --no-test: the audit saved it this way, and the worker then failed on "cannot convert float NaN"
    status = main(["integrations", "configure", "weather", "latitude=nan", "longitude=0", "--no-test"])
    err = capsys.readouterr().err
    assert status == 1
    assert "latitude" in err and "enter a number" in err
