"""The embedded database is SQLite in WAL mode, so the web app reads while the worker writes."""

import pytest
from django.db import connection

from hi.settings.base import _database

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_connections_use_wal_and_immediate_transactions() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 10000
        cursor.execute("PRAGMA journal_size_limit")
        assert cursor.fetchone()[0] == 64 * 1024 * 1024  # a WAL grown by a backup shrinks again
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_database_url_selects_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://hi:pw@db.example:5433/home")
    config = _database()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "home")
    assert "init_command" not in config.get("OPTIONS", {})


def test_without_database_url_sqlite_lives_in_the_data_dir(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = _database()
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"].endswith("hi.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
