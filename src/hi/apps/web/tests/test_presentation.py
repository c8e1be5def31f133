"""A state reads the way a person says it; each state type gets the control a person expects."""

import datetime as dt

from hi.apps.entity.enums import EntityStateType as S
from hi.apps.web.presentation import control_spec, describe_state, format_duration, humanize_age

NOW = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def test_binary_states_read_as_words():
    assert describe_state(S.OPEN_CLOSE, "open").text == "Open"
    assert describe_state(S.OPEN_CLOSE, "closed").text == "Closed"
    assert describe_state(S.ON_OFF, "on").tone == "warning"


def test_numbers_carry_their_units():
    assert describe_state(S.TEMPERATURE, 21.5, "°C").text == "21.5 °C"
    assert describe_state(S.LIGHT_DIMMER, 40).text == "40%"
    assert describe_state(S.LIGHT_DIMMER, 0).text == "Off"


def test_motion_says_when():
    text = describe_state(S.MOVEMENT, "active", updated_at=NOW - dt.timedelta(minutes=2), now=NOW).text
    assert text == "Motion 2 min ago"


def test_unknown_values_are_plain():
    assert describe_state(S.ON_OFF, None).text == "Unknown"
    assert describe_state(S.ON_OFF, "unavailable").text == "Unavailable"


def test_discrete_uses_the_range_labels():
    assert describe_state(S.DISCRETE, "heat", value_range={"heat": "Heating"}).text == "Heating"


def test_coded_values_read_as_words():
    assert describe_state(S.DISCRETE, "partlycloudy").text == "Partly cloudy"
    assert describe_state(S.DISCRETE, "clear-night").text == "Clear night"
    assert describe_state(S.DISCRETE, "armed_away").text == "Armed (away)"


def test_durations_and_ages():
    assert format_duration(45) == "45 s"
    assert format_duration(200) == "3 min 20 s"
    assert format_duration(None) == "ongoing"
    assert humanize_age(NOW - dt.timedelta(hours=3), NOW) == "3 h ago"


def test_controls_per_state_type():
    toggle = control_spec(S.OPEN_CLOSE)
    assert toggle.kind == "toggle" and toggle.options == (("closed", "Close"), ("open", "Open"))
    slider = control_spec(S.LIGHT_DIMMER, {"min": 0, "max": 100})
    assert (slider.kind, slider.minimum, slider.maximum) == ("slider", 0, 100)
    assert control_spec(S.DISCRETE, ["off", "heat", "cool"]).kind == "select"
    volume = control_spec(S.CONTINUOUS, None, "%")
    assert (volume.kind, volume.minimum, volume.maximum) == ("slider", 0, 100)
    assert control_spec(S.CONTINUOUS, None, "W").kind == "number"
    number = control_spec(S.TEMPERATURE, {"min": 7, "max": 30})
    assert (number.kind, number.minimum, number.step) == ("stepper", 7, 0.5)


def test_timestamps_read_as_clock_times():
    assert describe_state(S.DATETIME, "2026-01-01T07:15:00+00:00", now=NOW).text == "07:15"
    assert describe_state(S.DATETIME, "2025-12-30T07:15:00+00:00", now=NOW).text == "Dec 30 07:15"


def test_a_lock_offers_only_what_a_controller_can_set():
    lock = control_spec(S.DISCRETE, ["locked", "unlocked", "locking", "unlocking", "jammed", "open", "opening"])
    assert (lock.kind, lock.options) == ("toggle", (("unlocked", "Unlock"), ("locked", "Lock")))
    modes = control_spec(S.DISCRETE, ["off", "heat", "pending"])
    assert [value for value, _ in modes.options] == ["off", "heat"]


def test_locked_and_unlocked_never_look_alike():
    locked, unlocked = describe_state(S.DISCRETE, "locked"), describe_state(S.DISCRETE, "unlocked")
    assert locked.tone != unlocked.tone and locked.icon != unlocked.icon
    assert describe_state(S.DISCRETE, "jammed").tone == "danger"
    assert (locked.text, unlocked.text) == ("Locked", "Unlocked")


def test_structured_values_read_as_a_count_not_data():
    assert describe_state(S.MULTIVALUED, [{"t": 1}] * 48).text == "48 entries"
    assert describe_state(S.BLOB, {"a": 1}).text == "1 value"


def test_state_kind_words_hide_jargon():
    from hi.apps.web.presentation import short_label, state_kind_words

    assert state_kind_words(S.DISCRETE) == "" and state_kind_words(S.MULTIVALUED) == ""
    assert state_kind_words(S.TEMPERATURE) == "Temperature"
    assert short_label("Office Heater target temperature", "Office Heater") == "Target temperature"
    assert short_label("Office Heater", "Office Heater") == ""
