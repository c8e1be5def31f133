"""Helpers shared by the bench scripts (not a benchmark itself: running it does nothing)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def setup_django(data_dir: Path) -> None:
    """Point hi at a fresh SQLite file in ``data_dir`` and migrate it, so a run measures a clean database."""
    sys.path.insert(0, str(SRC))
    os.environ["HI_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    os.environ.setdefault("HI_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hi.settings.base"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
