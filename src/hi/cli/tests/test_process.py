"""``hi`` as a real process on a fresh database: migrations applied on first use, clean errors, clean stops."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest


def _clean_environment() -> dict[str, str]:
    """The test run's environment minus what would point a child at the test run's own database."""
    return {k: v for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "HI_LOG_LEVEL"}} | {"PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="session")
def prepared_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with collected static files, built once and copied per test (for speed)."""
    data = tmp_path_factory.mktemp("prepared") / "data"
    script = ("from hi.cli.bootstrap import setup_django, ensure_migrated; setup_django(); ensure_migrated(); "
              "from hi.cli.server import ensure_static; ensure_static()")
    subprocess.run([sys.executable, "-c", script], env=_clean_environment() | {"HI_DATA_DIR": str(data)},
                   check=True, timeout=300)
    return data


@pytest.fixture
def env(tmp_path: Path, prepared_data: Path) -> dict[str, str]:
    """A hub of its own in a temporary data dir, SQLite, whatever database the test run itself uses."""
    shutil.copytree(prepared_data, tmp_path / "data")
    return _clean_environment() | {"HI_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str]:
    """An empty data dir: nothing migrated yet."""
    return _clean_environment() | {"HI_DATA_DIR": str(tmp_path / "fresh")}


def hi(env: dict[str, str], *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hi.cli.main", *argv], env=env, capture_output=True,
                          text=True, timeout=timeout)


def _read_until(process: subprocess.Popen[str], marker: str, deadline: float = 120.0) -> list[str]:
    """Lines up to the one containing ``marker``; a watchdog kills a silent process so the test cannot hang."""
    lines: list[str] = []
    assert process.stdout is not None
    watchdog = threading.Timer(deadline, process.kill)
    watchdog.start()
    try:
        while not any(marker in line for line in lines):
            line = process.stdout.readline()
            assert line, f"ended early: {''.join(lines)} {process.stderr.read() if process.stderr else ''}"
            lines.append(line)
    finally:
        watchdog.cancel()
    return lines


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_fresh_database_is_migrated_on_first_use(fresh_env):
    result = hi(fresh_env, "entities", "list", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    assert result.stderr == ""
    assert Path(fresh_env["HI_DATA_DIR"], "hi.sqlite3").exists()


def test_the_data_dir_and_database_are_private(fresh_env):
    # security audit finding 5: hi.sqlite3 was 0644 (readable by every local user)
    assert hi(fresh_env, "channels", "add", "phone", "json://127.0.0.1:9/hook").returncode == 0
    data = Path(fresh_env["HI_DATA_DIR"])
    assert data.stat().st_mode & 0o777 == 0o700
    for name in ("hi.sqlite3", "secrets.key", "secret_key"):
        assert (data / name).stat().st_mode & 0o777 == 0o600, name
    for database_file in data.glob("hi.sqlite3*"):
        assert b"json://127.0.0.1:9/hook" not in database_file.read_bytes()


def test_errors_are_one_line_on_stderr_without_traceback(env):
    for argv, expected in [
        (["entities", "show", "42"], "hi: no entity '42'"),
        (["control", "hass:light.kitchen", "on"], "hi: no controller 'hass:light.kitchen'"),
        (["simulate", "nope"], "hi: unknown simulator 'nope'; known: "),
        (["integrations", "configure", "hass", "oops"], "hi: expected KEY=VALUE, got 'oops'"),
    ]:
        result = hi(env, *argv)
        assert result.returncode == 1, (argv, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(expected), result.stderr


def test_a_bad_setting_stops_any_command_with_one_line_naming_the_variable(env):
    for name, raw, command in [("HI_CAMERA_STREAMS_TOTAL", "eight", "health"), ("HI_HTTP_READ_TIMEOUT", "0", "run"),
                               ("HI_PORT", "-1", "run")]:
        result = hi(env | {name: raw}, command)
        assert result.returncode in (1, 2), (name, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"hi: {name}={raw!r} is not valid"), \
            result.stderr


def test_a_usage_error_exits_2_with_one_line(env):
    result = hi(env, "sync")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "required" in result.stderr


def test_tokens_create_prints_the_token_once(env):
    assert hi(env, "users", "add", "ops", "--role", "admin").returncode == 0
    result = hi(env, "tokens", "create", "script")
    assert result.returncode == 0
    assert re.search(r"^hi_[\w-]{20,}$", result.stdout, re.MULTILINE)


def test_manage_passes_through_to_django(env):
    result = hi(env, "manage", "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_hi_run_serves_and_stops_cleanly_on_sigterm(env):
    process = subprocess.Popen([sys.executable, "-m", "hi.cli.main", "run", "--port", "0"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = _read_until(process, "is running at")
        assert any("Created the first account" in line and "'admin'" in line for line in lines)
        url = re.search(r"(http://\S+/)", lines[-1]).group(1)
        probe = httpx.get(f"{url}api/v1/healthz", timeout=10)
        assert probe.status_code == 200 and probe.json() == {"status": "ok"}
        assert httpx.get(f"{url}api/v1/entities", timeout=10).status_code == 401
        script = httpx.get(f"{url}static/vendor/htmx/htmx.min.js", headers={"Accept-Encoding": "gzip"}, timeout=10)
        assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
        assert script.headers["Content-Encoding"] == "gzip" and "htmx" in script.text  # the collected, compressed copy
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    second = subprocess.run([sys.executable, "-m", "hi.cli.main", "health", "--json"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert json.loads(second.stdout)["worker"]["running"] is False  # it said goodbye on the way out


def test_hi_simulate_serves_a_simulator_until_sigterm(env):
    process = subprocess.Popen([sys.executable, "-m", "hi.cli.main", "simulate", "zoneminder", "--port", "0"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = _read_until(process, "simulator")[-1]
        url = re.search(r"(http://\S+);", line).group(1)
        assert httpx.get(f"{url}/_sim/faults", timeout=10).status_code == 200
    finally:
        assert _stop(process) == 0


def test_long_running_commands_report_json_lines_with_json(env):
    process = subprocess.Popen([sys.executable, "-m", "hi.cli.main", "run", "--port", "0", "--json"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        records = [json.loads(line) for line in _read_until(process, '"running"')]
        assert records[0]["event"] == "first_account" and records[0]["username"] == "admin"
        assert records[-1]["event"] == "running" and records[-1]["url"].startswith("http://127.0.0.1:")
    finally:
        assert _stop(process) == 0
    # no terminal (a service's log): the password is in a 0600 file in the data dir, never on stdout
    assert "password" not in records[0]
    password_file = Path(records[0]["password_file"])
    assert password_file.parent == Path(env["HI_DATA_DIR"]).resolve()
    assert password_file.stat().st_mode & 0o777 == 0o600
    username, password = password_file.read_text().split()
    assert username == "admin" and len(password) >= 12
    assert password not in json.dumps(records)


def test_hi_simulate_refuses_an_unknown_profile_in_one_line(env):
    result = hi(env, "simulate", "zoneminder", "--profile", "gigantic")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "unknown profile 'gigantic'" in result.stderr


def test_hi_demo_wires_the_simulators_and_serves(env, tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "hi.cli.main", "demo", "--port", "0"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        lines = _read_until(process, "is running at")
        text = "".join(lines)
        assert "configured, enabled and synced" in text
        assert "Created the first account" in text
        url = re.search(r"(http://\S+/)", lines[-1]).group(1)
        assert httpx.get(f"{url}api/v1/healthz", timeout=10).json() == {"status": "ok"}
        entities = hi(env, "entities", "list", "--json")  # a second process on the same SQLite (WAL)
        assert entities.returncode == 0 and len(json.loads(entities.stdout)) > 0
        assert "notifications: channels demo-mail and demo-webhook" in text
        rules = json.loads(hi(env, "rules", "list", "--json").stdout)
        leak = [r for r in rules if r["is_default"] and "water detected" in r["name"]]
        assert leak and leak[0]["life_safety"] and leak[0]["level"] == "critical"
        channels = json.loads(hi(env, "channels", "list", "--json").stdout)
        assert {c["name"] for c in channels} == {"demo-mail", "demo-webhook"}
        assert "places:" in text and "a plan of" in text and "collection" in text
        places = json.loads(hi(env, "places", "list", "--json").stdout)
        assert any(p["kind"] == "floor" for p in places) and any(p["kind"] == "room" for p in places)
        assert any(e["location"] for e in json.loads(entities.stdout))
    finally:
        assert _stop(process) == 0
