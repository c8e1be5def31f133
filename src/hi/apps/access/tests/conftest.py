"""Fixtures shared with the API tests (a switchable test light's gateway)."""

from hi.apps.api.tests.conftest import switch_gateway  # noqa: F401
