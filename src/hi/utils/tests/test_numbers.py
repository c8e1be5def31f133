"""One reading of 'is this a number': numbers and numeric text, never booleans, never NaN or infinity."""

from hi.utils.numbers import finite_number


def test_numbers_and_numeric_text_are_numbers() -> None:
    assert finite_number(3) == 3.0 and finite_number(2.5) == 2.5 and finite_number(" 21.5 ") == 21.5


def test_booleans_text_and_non_finite_values_are_not() -> None:
    for value in (True, False, None, "on", "", {"a": 1}, float("nan"), "inf", float("-inf")):
        assert finite_number(value) is None, value
