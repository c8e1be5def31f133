"""A bad ``HI_*`` value under every way of starting the hub: one line naming it and a non-zero exit, no
traceback. Real processes: ``hi run``, ``manage.py``, uvicorn, and gunicorn (its sync worker, its own
ASGI worker, and ``--preload``, where the master loads the app)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
MANAGE = Path(__file__).resolve().parents[3] / "manage.py"
LINE = "hi: HI_DEBUG='maybe' is not valid: expected one of 1/true/yes/on or 0/false/no/off (unset, it is off)"


def _commands(tmp: Path) -> dict[str, list[str]]:
    gunicorn = [str(BIN / "gunicorn"), "--bind", "127.0.0.1:0", "--control-socket", str(tmp / "gunicorn.ctl")]
    return {
        "hi run": [str(BIN / "hi"), "run", "--port", "0"],
        "manage.py": [sys.executable, str(MANAGE), "check"],
        "uvicorn": [str(BIN / "uvicorn"), "--port", "0", "hi.asgi:application"],
        "gunicorn": [*gunicorn, "hi.wsgi:application"],
        "gunicorn asgi worker": [*gunicorn, "--worker-class", "asgi", "hi.asgi:application"],
        "gunicorn --preload": [*gunicorn, "--preload", "hi.wsgi:application"],
    }


@pytest.mark.parametrize("how", list(_commands(Path("/"))))
def test_a_bad_setting_stops_the_start_with_one_line(how: str, tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env.update({"HI_DATA_DIR": str(tmp_path), "HI_DEBUG": "maybe", "HOME": str(tmp_path)})
    result = subprocess.run(_commands(tmp_path)[how], env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert LINE in result.stderr.splitlines(), output
    assert "Traceback" not in output and "ImproperlyConfigured" not in output, output
    if how.startswith("gunicorn"):  # status 4 is what stops gunicorn's master from booting workers again
        assert result.returncode == 4 and result.stderr.count(LINE) == 1, output
