"""Typed attribute values are checked: 'last spring' is not a date."""

from __future__ import annotations

import pytest

from hi.apps.entity.attribute_values import clean_attribute_value
from hi.apps.entity.enums import AttributeValueType as T


@pytest.mark.parametrize(("value_type", "raw", "words"), [
    (T.DATE, "last spring", "is not a date"), (T.DATE, "2026-02-30", "is not a date"),
    (T.NUMBER, "twelve", "is not a number"), (T.NUMBER, "nan", "is not a number"),
    (T.DATETIME, "tomorrow evening", "is not a date and time"), (T.BOOLEAN, "maybe", "yes or no"),
    (T.URL, "javascript:alert(1)", "is not a link"),
])
def test_wrong_values_are_refused_in_words(value_type, raw, words):
    with pytest.raises(ValueError, match=words):
        clean_attribute_value(value_type, raw)


@pytest.mark.parametrize(("value_type", "raw", "clean"), [
    (T.DATE, " 2026-04-15 ", "2026-04-15"), (T.NUMBER, "3.5", "3.5"), (T.BOOLEAN, "Yes", "yes"),
    (T.DATETIME, "2026-04-15 18:30", "2026-04-15 18:30"), (T.TEXT, "anything", "anything"),
])
def test_right_values_are_kept_in_a_canonical_form(value_type, raw, clean):
    assert clean_attribute_value(value_type, raw) == clean
