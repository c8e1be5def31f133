"""The hub killed with SIGKILL: health says so at once, a restart does not mistake the dead worker for
a live one, and every change the peer made meanwhile is recorded once (replayed from its recorder);
a sync killed at any point is all-or-nothing and the next one plans the rest."""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hi.simulator.hass import HassSimulator

from .conftest import LONG
from .hub import Hub, prepare_data


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return prepare_data(tmp_path_factory.mktemp("fault-hub") / "data")


@pytest.fixture
def hub(prepared: Path, tmp_path: Path, threaded_sim: HassSimulator) -> Iterator[Hub]:
    hub = Hub(prepared, tmp_path)
    attrs = threaded_sim.integration_attributes()
    for argv in (("integrations", "configure", "hass", f"base_url={attrs['base_url']}",
                  f"api_token={attrs['api_token']}"), ("integrations", "enable", "hass")):
        done = hub.hi(*argv)
        assert done.returncode == 0, done.stderr
    try:
        yield hub
    finally:
        hub.stop_all()


class Toggler(threading.Thread):
    """Home Assistant life: one light toggled every ``period`` seconds until stopped."""

    def __init__(self, sim: HassSimulator, entity_id: str, period: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.sim, self.entity_id, self.period = sim, entity_id, period
        self.done = threading.Event()

    def run(self) -> None:
        step = 0
        while not self.done.wait(self.period):
            self.sim.set_state(self.entity_id, "on" if step % 2 == 0 else "off")
            step += 1

    def stop(self) -> None:
        self.done.set()
        self.join()


def _peer_changes(sim: HassSimulator, entity_id: str, since: dt.datetime) -> list[tuple[dt.datetime, str]]:
    return [(s.last_updated, s.state) for s in sim.store.history(entity_id, since) if s.last_updated > since]


def _ours(hub: Hub, name: str, since: dt.datetime) -> list[tuple[dt.datetime, str]]:
    rows = [(dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC), json.loads(value))
            for at, value in hub.history(name)]
    return [row for row in rows if row[0] > since]


def test_kill_9_of_the_worker_during_activity_loses_and_repeats_nothing(hub: Hub, threaded_sim: HassSimulator) -> None:
    assert hub.hi("sync", "hass").returncode == 0
    first = hub.start_worker()
    hub.wait_for(lambda: hub.query("SELECT health_status FROM integrations_integration "
                                   "WHERE integration_id = 'hass'") == [("healthy",)], timeout=60)
    since = dt.datetime.now(dt.UTC)
    toggler = Toggler(threaded_sim, "light.porch")
    toggler.start()
    try:
        hub.wait_for(lambda: len(_ours(hub, "light.porch", since)) >= 5)
        first.kill()  # SIGKILL: no clean stop, no 'stopped' heartbeat
        first.wait()
        health = json.loads(hub.hi("health", "--json").stdout)
        assert not health["worker"]["running"] and health["worker"]["reason"] == f"process {first.pid} is gone"
        hass = next(i for i in health["integrations"] if i["integration_id"] == "hass")
        assert hass["health_status"] == "unknown" and hass["stale"], hass
        time.sleep(3.0 if LONG else 1.0)  # the outage: changes go on while nothing listens
        hub.start_worker()
    finally:
        time.sleep(0.5)
        toggler.stop()
    expected = _peer_changes(threaded_sim, "light.porch", since)
    hub.wait_for(lambda: _ours(hub, "light.porch", since) == expected, timeout=60)
    assert hub.duplicate_history_rows() == 0
    assert hub.query("PRAGMA integrity_check") == [("ok",)]
    assert "another worker is running" not in hub.worker_log(1)


def test_a_sync_killed_at_any_point_is_all_or_nothing(hub: Hub, threaded_sim: HassSimulator) -> None:
    import subprocess
    import sys

    rng = random.Random(11)
    rounds = 8 if LONG else 3
    seen: list[int] = []
    for _ in range(rounds):
        sync = subprocess.Popen([sys.executable, "-m", "hi.cli.main", "sync", "hass"], env=hub.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))  # a random point: start-up, fetch, plan or apply
        sync.kill()
        sync.wait()
        assert hub.query("PRAGMA integrity_check") == [("ok",)]
        seen.append(_imported(hub))
    plan = json.loads(hub.hi("sync", "hass", "--dry-run", "--json").stdout)
    done = hub.hi("sync", "hass", "--json")
    assert done.returncode == 0, done.stderr
    applied = json.loads(done.stdout)
    assert applied["counts"] == plan["counts"]
    complete = _imported(hub)
    assert complete > 0 and all(count in (0, complete) for count in seen), (seen, complete)  # never half a plan
    assert not any(json.loads(hub.hi("sync", "hass", "--dry-run", "--json").stdout)["counts"].values())


def _imported(hub: Hub) -> int:
    return hub.query("SELECT COUNT(*) FROM entity_entity WHERE integration_id = 'hass'")[0][0]
