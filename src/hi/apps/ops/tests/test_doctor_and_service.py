"""hi doctor's checks, and the systemd unit checked by systemd-analyze where it is installed."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from hi.apps.monitor.models import WorkerHeartbeat
from hi.apps.ops import doctor
from hi.apps.ops.service import ServicePaths, install, render_unit, uninstall

HI = Path(sys.executable).with_name("hi")


@pytest.mark.django_db
def test_doctor_reports_each_check_and_the_worst(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    tmp_path.chmod(0o700)
    (tmp_path / "secret_key").write_text("x")
    (tmp_path / "secret_key").chmod(0o644)
    checks = {c.name: c for c in doctor.run_checks(probe=False)}
    assert checks["database.connection"].status == doctor.PASS
    assert checks["database.integrity"].status == doctor.PASS
    assert checks["database.migrations"].status == doctor.PASS
    assert checks["data_dir.permissions"].status == doctor.PASS
    assert checks["secrets.key"].status == doctor.WARN and "chmod 600" in checks["secrets.key"].message
    assert checks["worker.heartbeat"].status == doctor.WARN
    assert checks["backups.latest"].status == doctor.WARN
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="h:1", hostname="h", pid=1, started_at=now, heartbeat_at=now)
    tmp_path.chmod(0o777)
    try:
        checks = {c.name: c for c in doctor.run_checks(probe=False)}
    finally:
        tmp_path.chmod(0o700)
    assert checks["worker.heartbeat"].status == doctor.PASS
    assert checks["data_dir.permissions"].status == doctor.FAIL
    assert doctor.overall(list(checks.values())) == doctor.FAIL


@pytest.mark.django_db
def test_doctor_probes_reachability_and_clock_skew(settings, tmp_path):
    """A real loopback server whose Date header is ten minutes late."""
    import email.utils
    import http.server
    import threading

    from hi.integrations.models import Integration, IntegrationAttribute

    class Late(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)  # its Date header comes from date_time_string below
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

        def date_time_string(self, timestamp: float | None = None) -> str:  # the server's clock, ten minutes late
            return email.utils.format_datetime(timezone.now() - dt.timedelta(minutes=10), usegmt=True)

    server = http.server.HTTPServer(("127.0.0.1", 0), Late)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        hass = Integration.objects.create(integration_id="hass", status="active", health_status="healthy")
        IntegrationAttribute.objects.create(integration=hass, key="base_url", value_type="url",
                                            value=f"http://127.0.0.1:{server.server_address[1]}/")
        dead = Integration.objects.create(integration_id="weather", status="active", health_status="error",
                                          health_message="401 Unauthorized")
        IntegrationAttribute.objects.create(integration=dead, key="nws_base_url", value_type="url",
                                            value="http://127.0.0.1:9/")
        checks = {c.name: c for c in doctor.run_checks(probe=True)}
    finally:
        server.shutdown()
    assert checks["integration.hass.reachable"].status == doctor.PASS
    assert checks["integration.hass.clock"].status == doctor.FAIL
    assert checks["integration.weather.health"].status == doctor.FAIL
    assert "401" in checks["integration.weather.health"].message
    assert checks["integration.weather.reachable"].status == doctor.FAIL


def test_doctor_json_from_the_command_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["HI_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([HI, "doctor", "--offline", "--json"], env=env, capture_output=True, text=True,
                            timeout=120)
    report = json.loads(result.stdout)
    assert report["status"] in {"pass", "warn", "fail"} and result.returncode == (report["status"] == "fail")
    names = [c["name"] for c in report["checks"]]
    assert "database.migrations" in names and "secrets.key" in names
    # doctor does not migrate: on a new data dir it says migrations are pending
    assert next(c for c in report["checks"] if c["name"] == "database.migrations")["status"] == "warn"


def _verify(unit: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_the_unit_passes_systemd_analyze_verify(tmp_path):
    paths = ServicePaths(tmp_path / "units" / "hi.service", tmp_path / "hi.env", "user")
    result = install(paths, tmp_path / "data", start=False)
    assert result["env_file_created"] and oct(paths.env_file.stat().st_mode)[-3:] == "600"
    unit = paths.unit.read_text()
    assert "Type=notify" in unit and "WatchdogSec=" in unit and "Restart=on-failure" in unit
    assert f"EnvironmentFile={paths.env_file}" in unit and f"ExecStart={HI} run" in unit
    verdict = _verify(paths.unit)
    assert verdict.returncode == 0, verdict.stderr
    broken = tmp_path / "broken.service"  # the check can fail: a unit whose program does not exist
    broken.write_text(render_unit(paths, tmp_path / "no-such-hi", tmp_path).replace("Type=notify", "Type=bogus"))
    assert _verify(broken).returncode != 0
    (tmp_path / "data").mkdir()
    system = render_unit(ServicePaths(tmp_path / "s.service", paths.env_file, "system"), HI, tmp_path / "data",
                         user="root")
    assert "User=root" in system and "WantedBy=multi-user.target" in system
    uninstall(paths)
    assert not paths.unit.exists() and paths.env_file.exists()


def test_install_service_from_the_command_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["HI_DATA_DIR"] = str(tmp_path / "data")
    command = [HI, "install-service", "--unit-dir", str(tmp_path), "--env-file", str(tmp_path / "hi.env"),
               "--no-start", "--json"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["unit"] == str(tmp_path / "hi.service")
    gone = subprocess.run([HI, "uninstall-service", "--unit-dir", str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert gone.returncode == 0 and not (tmp_path / "hi.service").exists()
    again = subprocess.run([HI, "uninstall-service", "--unit-dir", str(tmp_path)], env=env, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 1 and again.stderr.startswith("hi: no unit at")
