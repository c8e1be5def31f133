"""The shared base-URL validator and same-origin test (findings 6 and 9 of the security audit)."""

from __future__ import annotations

import pytest

from hi.utils.urls import check_base_url, same_origin_path


@pytest.mark.parametrize(("value", "problem"), [
    ("http://ha.local:8123/\r\nX-Injected: 1", "control characters"),
    ("http://ha.local:8123/api\n", "control characters"),
    ("http://ha.local:8123/?token=LEAKME123", "query string"),
    ("http://ha.local:8123?", "query string"),
    ("http://ha.local:8123/#frag", "fragment"),
    ("http://user:pw@ha.local:8123", "user name or password"),
    ("http://@ha.local", "user name or password"),
    ("http://ha.local\\@evil/", "backslash"),
    ("ftp://ha.local", "http://"),
    ("http://ha.local:99999", "port"),
    ("http://ha .local", "control characters"),
])
def test_base_urls_with_more_than_scheme_host_port_path_are_refused(value, problem):
    with pytest.raises(ValueError, match=problem):
        check_base_url(value)


@pytest.mark.parametrize("value", ["http://ha.local:8123", "https://zm.local/zm/api/", "http://[::1]:9/x"])
def test_plain_base_urls_pass(value):
    assert check_base_url(value) == value.rstrip("/")


@pytest.mark.parametrize(("value", "same"), [
    ("/zoneminder/monitors/1/snapshot", True),
    ("/attributes/3/file?x=1", True),
    ("/\\127.0.0.1:18620/snap.jpg", False),  # the audit's: browsers read /\ as //
    ("//127.0.0.1:18620/snap.jpg", False),
    ("/\t/127.0.0.1/snap.jpg", False),  # tabs and newlines are dropped by browsers: //127.0.0.1
    ("/\n/evil.example/x", False),
    ("http://127.0.0.1/snap.jpg", False),
    ("javascript:alert(1)", False),
    (" /ok", True),
    ("", False),
])
def test_same_origin_paths(value, same):
    assert same_origin_path(value) is same
