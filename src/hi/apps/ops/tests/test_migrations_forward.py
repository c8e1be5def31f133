"""Upgrades: a database of the first release, with data in every table, migrates to today's schema.

Each fixture (``fixtures/*.json``, made by ``migration_fixture`` from ``household.build_everything``)
records a schema's applied migrations and rows. The test migrates the test database to exactly those migrations (apps
that did not exist then: to nothing), inserts the rows, migrates forward to the latest migrations,
and reads every row back through today's models — on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from .migration_fixture import FIXTURES, load

pytestmark = pytest.mark.django_db(transaction=True)


def _targets(executor: MigrationExecutor, migrations: dict[str, list[str]]) -> list[tuple[str, str | None]]:
    apps_now = {app for app, _ in executor.loader.graph.leaf_nodes()}
    return [(app, max(migrations[app]) if app in migrations else None) for app in sorted(apps_now)]


# release-0.1.0: the first release (sensors, events, control, aggregates); schema-2026-11-30: the schema of
# that day with a row in every app's tables, alarms, household settings, places, ZoneMinder and weather included
@pytest.mark.parametrize("release", ["release-0.1.0", "schema-2026-11-30"])
def test_release_database_migrates_forward_with_its_data(release):
    fixture = json.loads((FIXTURES / f"{release}.json").read_text())
    executor = MigrationExecutor(connection)
    executor.migrate(_targets(executor, fixture["migrations"]))
    try:
        load(fixture)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert not MigrationExecutor(connection).migration_plan(executor.loader.graph.leaf_nodes())
    by_table = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    for table, content in fixture["tables"].items():
        model = by_table[table]
        ids = set(model.objects.values_list("pk", flat=True))
        pk_column = model._meta.pk.column
        expected = {row[content["columns"].index(pk_column)] for row in content["rows"]}
        assert expected <= ids, f"{table} lost rows in the upgrade"
        for obj in model.objects.all():  # every column of today's model reads back
            obj.refresh_from_db()
    from hi.apps.sense.models import SensorHistory

    assert SensorHistory.objects.count() == 300
