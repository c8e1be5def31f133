from __future__ import annotations

import pytest

from hi.apps.api.tests.conftest import lamp_gateway, switch_gateway  # noqa: F401 - shared fixtures


@pytest.fixture(autouse=True)
def keep_test_logging(monkeypatch):
    """In-process runs must not silence logging for the rest of the test session."""
    monkeypatch.setenv("HI_LOG_LEVEL", "WARNING")


@pytest.fixture
def hi(capsys):
    """Run ``hi`` in-process: returns (exit status, stdout, stderr)."""
    from hi.cli.main import main

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            status = main(list(argv))
        except SystemExit as exc:  # argparse usage errors
            status = exc.code if isinstance(exc.code, int) else 1
        finally:
            from django.utils import timezone

            timezone.deactivate()  # main() activates the household's zone for this thread
        out, err = capsys.readouterr()
        return status, out, err

    return run
