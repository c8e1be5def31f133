"""Every lifecycle change is announced after commit, so a worker in the same process reacts at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hi.integrations import lifecycle
from hi.integrations.exceptions import ConfigurationError
from hi.integrations.signals import integration_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def announcements() -> Iterator[list[str]]:
    heard: list[str] = []

    def listener(sender: type, integration_id: str, **kwargs: object) -> None:
        heard.append(integration_id)

    integration_changed.connect(listener, dispatch_uid="test-announcements")
    yield heard
    integration_changed.disconnect(dispatch_uid="test-announcements")


def test_configure_enable_pause_resume_disable_are_each_announced(
    django_capture_on_commit_callbacks, toy_gateway, toy_attributes, announcements
) -> None:
    steps = [
        lambda: lifecycle.configure("toy", toy_attributes),
        lambda: lifecycle.enable("toy"),
        lambda: lifecycle.pause("toy"),
        lambda: lifecycle.resume("toy"),
        lambda: lifecycle.disable("toy", "all"),
    ]
    for step in steps:
        with django_capture_on_commit_callbacks(execute=True):
            step()
    assert announcements == ["toy"] * len(steps)


def test_a_refused_configuration_announces_nothing(
    django_capture_on_commit_callbacks, toy_gateway, toy_attributes, announcements
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ConfigurationError):
        lifecycle.configure("toy", {**toy_attributes, "base_url": "not a url"})
    assert announcements == []
