"""The import rules of ``make lint`` hold, and they fail when broken — also for services and apps added later.

Each broken case runs the real tools (import-linter with the project's ``.importlinter``, and
``scripts/import_cycles.py``) on a copy of the source tree with one forbidden import added.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _run(args: list[str], source: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def lint_imports(source: Path) -> subprocess.CompletedProcess[str]:
    return _run([str(LINT_IMPORTS), "--config", str(ROOT / ".importlinter"), "--no-cache"], source)


def import_cycles(source: Path) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, str(ROOT / "scripts" / "import_cycles.py")], source)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of ``src/hi`` (code only) that a test may break."""
    shutil.copytree(ROOT / "src" / "hi", tmp_path / "hi",
                    ignore=shutil.ignore_patterns("__pycache__", "static", "templates", "*.jpg", "*.mp4"))
    return tmp_path


def add_line(tree: Path, module: str, line: str) -> None:
    path = tree / (module.replace(".", "/") + ".py")
    if not path.exists():  # a new package: it and every missing parent get an __init__.py
        path = tree / module.replace(".", "/") / "__init__.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in path.relative_to(tree).parents:
            if parent != Path("."):
                (tree / parent / "__init__.py").touch()
    with path.open("a") as handle:
        handle.write(f"\n{line}\n")


def test_the_rules_hold_for_the_project_as_it_is():
    source = ROOT / "src"
    linted = lint_imports(source)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "0 broken" in linted.stdout
    cycles = import_cycles(source)
    assert cycles.returncode == 0, cycles.stdout


BREAKS = {
    "existing modules": [
        ("hi.services.weather.units", "import hi.services.hass.hass_states",
         "A service never imports another service"),
        ("hi.integrations.health", "import hi.services.zoneminder.zm_models", "The framework never imports a service"),
        ("hi.integrations.monitor", "import hi.apps.sense.pipeline", "The integration contract imports nothing"),
        ("hi.services.hass.client.rest", "import django.db", "Protocol clients never import Django"),
        ("hi.simulator.generic", "import hi.apps.entity.models", "The simulators never import services or apps"),
        ("hi.apps.sense.pipeline", "import hi.services.weather.units", "Core apps never import a service"),
        ("hi.apps.web.views.pages", "import hi.apps.api.api", "The web app does not import the API app"),
    ],
    # packages that do not exist yet are covered by the wildcards as soon as they are added
    "new packages": [
        ("hi.services.newcomer", "import hi.services.hass.hass_states", "A service never imports another service"),
        ("hi.services.newcomer.client", "import django.conf", "Protocol clients never import Django"),
        ("hi.apps.newcomer", "import hi.services.weather.units", "Core apps never import a service"),
    ],
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_each_forbidden_import_breaks_its_contract(tree: Path, case: str):
    """One run per case (the tools take a second or two): every contract named must be reported broken."""
    for module, line, _ in BREAKS[case]:
        add_line(tree, module, line)
    linted = lint_imports(tree)
    assert linted.returncode != 0
    broken = linted.stdout.split("Broken contracts")[-1]
    for module, _, contract in BREAKS[case]:
        assert contract in broken and module in broken, linted.stdout
    kept = {contract for _, _, contract in BREAKS[case]}
    assert f"{len(kept)} broken" in linted.stdout, linted.stdout


def test_a_cycle_counts_even_when_the_import_hides_in_a_function(tree: Path):
    add_line(tree, "hi.integrations.keys", "def _late():\n    from hi.integrations import integration_factory  # noqa")
    cycles = import_cycles(tree)
    assert cycles.returncode == 1
    assert "hi.integrations.keys" in cycles.stdout, cycles.stdout
