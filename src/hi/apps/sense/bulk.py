"""Plain ``executemany`` inserts and updates for the ingest path.

Django's ``bulk_update`` builds one CASE expression per field and row, which costs far more
than the write itself; these helpers prepare values with each field's own conversion (so JSON
and datetimes are stored exactly as the ORM would store them) and send one statement per batch.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db import connections, models, router


def _preparer(field: models.Field, connection: Any) -> Callable[[Any], Any]:
    """A fast equivalent of ``field.get_db_prep_save`` for the plain values the pipeline writes."""
    ops = connection.ops
    generic = functools.partial(field.get_db_prep_save, connection=connection)
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: None if value is None else ops.adapt_json_value(value, encoder)
    if isinstance(field, models.DateTimeField):
        # SQLite stores naive text in the connection's zone: the same as Django's adapter, minus its checks
        sqlite_zone = connection.timezone if connection.vendor == "sqlite" and settings.USE_TZ else None

        def prepare_datetime(value: Any) -> Any:
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                if sqlite_zone is not None:
                    return str(value.astimezone(sqlite_zone).replace(tzinfo=None))
                return ops.adapt_datetimefield_value(value)
            return generic(value)
        return prepare_datetime
    if isinstance(field, models.ForeignKey | models.AutoField | models.BigAutoField | models.IntegerField):
        return lambda value: value
    return generic


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in names]


def update_rows(model: type[models.Model], rows: Sequence[Any], names: Sequence[str]) -> None:
    """``UPDATE … WHERE pk = %s`` for every row, setting ``names`` from the instances."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = _fields(model, names)
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
           f"WHERE {quote(model._meta.pk.column)} = %s")
    preparers = [(field.attname, _preparer(field, connection)) for field in fields]
    params = [[prepare(getattr(row, attname)) for attname, prepare in preparers] + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_values(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """``INSERT`` plain value tuples (in ``names`` order), each prepared by its field as the ORM would."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = _fields(model, names)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    preparers = [_preparer(field, connection) for field in fields]
    params = [[prepare(value) for prepare, value in zip(preparers, row, strict=True)] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_rows(model: type[models.Model], rows: Sequence[models.Model], names: Sequence[str]) -> None:
    """``INSERT`` model instances (primary keys are not read back: callers needing them use bulk_create)."""
    attnames = [field.attname for field in _fields(model, names)]
    insert_values(model, names, [[getattr(row, attname) for attname in attnames] for row in rows])


def upsert_rows(model: type[models.Model], rows: Sequence[models.Model], names: Sequence[str]) -> None:
    """Insert each row, or update ``names`` where its primary key exists (SQLite and PostgreSQL share the syntax)."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    fields = [pk, *_fields(model, names)]
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    updates = ", ".join(f"{quote(field.column)} = excluded.{quote(field.column)}" for field in fields[1:])
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders}) "
           f"ON CONFLICT ({quote(pk.column)}) DO UPDATE SET {updates}")
    preparers = [(field.attname, _preparer(field, connection)) for field in fields]
    params = [[prepare(getattr(row, attname)) for attname, prepare in preparers] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
