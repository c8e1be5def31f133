"""Out-of-range arguments on the command line: one clear line naming the option, never "unexpected error"."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("argv", "field"), [
    (("events", "list", "--since", "9999-12-31T23:59:59-23:59"), "since"),
    (("events", "list", "--since", "0001-01-01T00:00:00+23:59"), "since"),
    (("events", "list", "--entity", "9" * 23), "entity"),
    (("export", "--since", "9999-12-31T23:59:59-23:59", "-o", "/dev/null"), "since"),
])
def test_cli_names_the_bad_argument(hi, argv, field):
    status, _, err = hi(*argv)
    assert status != 0 or not err
    if status != 0:
        assert "unexpected error" not in err
        assert field in err


@pytest.mark.parametrize(("argv", "field"), [
    (("mode", "set", "away", "--for", str(10**30)), "for"),
    (("snooze", str(10**30)), "minutes"),
])
def test_cli_durations_are_range_checked(hi, argv, field):
    status, _, err = hi(*argv)
    assert status != 0
    assert "unexpected error" not in err and field in err
