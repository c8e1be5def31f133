"""A database of one release, as data: its applied migrations and the rows of every hi table.

``python -m hi.apps.ops.tests.migration_fixture NAME`` builds a household (``household.build``) in a
fresh SQLite database at the current schema and writes ``fixtures/NAME.json``; ``load`` puts those
rows back into a database migrated to exactly that release's migrations, SQLite or PostgreSQL, so
``test_migrations_forward`` can migrate it to today's schema. Values are stored as typed JSON
(booleans as booleans, JSON columns as their text), which both databases accept for their columns.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def hi_models() -> list[Any]:
    """Models whose rows a release carries: every hi app's, plus accounts."""
    from django.apps import apps

    return [m for m in apps.get_models(include_auto_created=True)
            if m.__module__.startswith("hi.") or m._meta.db_table == "auth_user"]


def dump() -> dict[str, Any]:
    from django.db import connection, models

    tables: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for model in hi_models():
            fields = [f for f in model._meta.concrete_fields]
            columns = [f.column for f in fields]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(model._meta.db_table)} ORDER BY 1")
            rows = []
            for raw in cursor.fetchall():
                rows.append([bool(v) if isinstance(f, models.BooleanField) and v is not None else v
                             for f, v in zip(fields, raw, strict=True)])
            if rows:
                tables[model._meta.db_table] = {"columns": columns, "rows": rows}
    cursor_migrations: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            cursor_migrations.setdefault(app, []).append(name)
    import hi

    return {"hi_version": hi.__version__, "migrations": cursor_migrations, "tables": tables}


def load(fixture: dict[str, Any]) -> None:
    """Insert the fixture's rows as they are (the schema must be exactly the fixture's)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table, content in fixture["tables"].items():
            columns = ", ".join(connection.ops.quote_name(c) for c in content["columns"])
            marks = ", ".join(["%s"] * len(content["columns"]))
            cursor.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) VALUES ({marks})",
                               content["rows"])
    if connection.vendor == "postgresql":  # explicit ids: move each sequence past them
        from django.apps import apps
        from django.core.management.color import no_style

        models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in fixture["tables"]]
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


def main(name: str) -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix="hi-fixture-"))
    os.environ.update(HI_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="hi.settings.base")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    settings.MEDIA_ROOT = data_dir / "media"
    from django.contrib.auth import get_user_model

    from . import household

    household.build_everything()
    get_user_model().objects.create_user("alice", password="not used anywhere")
    FIXTURES.mkdir(exist_ok=True)
    target = FIXTURES / f"{name}.json"
    target.write_text(json.dumps(dump(), indent=1, default=str) + "\n")
    return target


if __name__ == "__main__":
    print(main(sys.argv[1] if len(sys.argv) > 1 else "release-0.1.0"))
