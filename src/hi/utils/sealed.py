"""Secrets encrypted at rest: integration settings, webhook secrets, notification channel URLs.

A copy of ``hi.sqlite3`` (a backup left around, a synced folder, a stolen disk) used to hold the Home
Assistant token and ZoneMinder password in plain text. Values are now sealed with Fernet (AES-128-CBC +
HMAC-SHA256, from ``cryptography``) under a key kept outside the database:

- ``HI_SECRETS_KEY`` (one key, or several separated by commas, the first used to seal), else
- ``<data dir>/secrets.key`` (mode 0600, one key per line), created on first use.

Sealed values are stored as ``sealed:v1:<token>``. Values without the prefix are read as they are, so a
database from before this change keeps working until the migration (or the next save) seals them.
:func:`rotate_key` puts a new key first, re-seals every value under it, then drops the old keys.
:class:`SealedTextField` does the sealing for a model field, so code reading ``attribute.value`` never
sees a token and code writing it never stores plain text.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.db import models

logger = logging.getLogger("hi.utils.sealed")

PREFIX = "sealed:v1:"
KEY_FILE_NAME = "secrets.key"
ENV_KEY = "HI_SECRETS_KEY"
_cache: dict[str, MultiFernet] = {}


class SealError(RuntimeError):
    """A sealed value that no configured key opens (wrong or lost key file); says what to check."""


def key_file() -> Path:
    from django.conf import settings

    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def _write_keys(path: Path, keys: list[bytes]) -> None:
    """Replace the key file atomically, readable by its owner only."""
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(b"\n".join(keys) + b"\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    path.chmod(0o600)


def _keys() -> list[bytes]:
    from_env = os.environ.get(ENV_KEY, "").strip()
    if from_env:
        return [part.strip().encode() for part in from_env.split(",") if part.strip()]
    path = key_file()
    if not path.exists():
        _create_key_file(path)
    return [line.strip() for line in path.read_bytes().splitlines() if line.strip()]


def _create_key_file(path: Path) -> None:
    """A first key, written whole and then linked into place: when the web process and the worker start
    together, exactly one key wins and both use it (a second key would make the first one's secrets unreadable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(Fernet.generate_key() + b"\n")
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(temporary, path)
        logger.info("created the secrets key %s", path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        temporary.unlink()


def _fernet() -> MultiFernet:
    keys = _keys()
    cache_key = b",".join(keys).decode()
    cached = _cache.get(cache_key)
    if cached is None:
        try:
            cached = MultiFernet([Fernet(key) for key in keys])
        except ValueError as exc:
            raise SealError(f"the secrets key ({ENV_KEY} or {key_file()}) is not a valid Fernet key") from exc
        _cache.clear()
        _cache[cache_key] = cached
    return cached


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(value: str) -> str:
    """``value`` encrypted under the first key (empty stays empty: nothing to hide, and forms test for it)."""
    if not value or is_sealed(value):
        return value
    return PREFIX + _fernet().encrypt(value.encode()).decode()


def unseal(value: str) -> str:
    """The plain text of a sealed value; an unsealed (older) value as it is."""
    if not value or not is_sealed(value):
        return value
    try:
        return _fernet().decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise SealError(f"a stored secret cannot be decrypted with the secrets key ({ENV_KEY} or {key_file()}); "
                        "was the key file replaced or lost?") from exc


class SealedTextField(models.TextField):
    """A text column whose values are sealed in the database and plain in Python."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return unseal(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return seal(value) if isinstance(value, str) else value


def sealed_fields() -> Iterator[tuple[type[models.Model], str]]:
    """Every (model, field name) stored sealed, found from the installed models."""
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, SealedTextField):
                yield model, field.name


def reseal_all() -> int:
    """Seal every value (plain ones included) under the current first key; returns how many rows changed."""
    from django.db import transaction

    changed = 0
    with transaction.atomic():
        for model, name in sealed_fields():
            for pk, raw in model.objects.values_list("pk", name).iterator():  # values_list unseals
                if raw:
                    model.objects.filter(pk=pk).update(**{name: raw})  # get_prep_value seals afresh
                    changed += 1
    return changed


def rotate_key() -> tuple[Path, int]:
    """A new key first in the key file, every secret re-sealed under it, then the old keys dropped.

    Between the steps the file holds both, so a crash leaves every value readable. Refused when the keys
    come from ``HI_SECRETS_KEY``: the operator owns that value (put a new key first there, run
    ``hi secrets reseal``, then remove the old one).
    """
    if os.environ.get(ENV_KEY, "").strip():
        raise SealError(f"the keys come from {ENV_KEY}: put a new key first in it (hi secrets new-key prints one), "
                        "run hi secrets reseal, then remove the old key")
    path = key_file()
    old = _keys()
    new = Fernet.generate_key()
    _write_keys(path, [new, *old])
    changed = reseal_all()
    _write_keys(path, [new])
    return path, changed


def new_key() -> str:
    return Fernet.generate_key().decode()


def migration_operations(app_label: str, model_name: str, field_name: str) -> tuple[Any, Any]:
    """(forward, backward) functions for a data migration: seal a column's existing plain values, or unseal."""

    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        for pk, value in model.objects.values_list("pk", field_name).iterator():  # plain values read as they are
            if value:
                model.objects.filter(pk=pk).update(**{field_name: value})  # sealed on the way in

    def backward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        quote = schema_editor.connection.ops.quote_name
        column = model._meta.get_field(field_name).column
        sql = f"UPDATE {quote(model._meta.db_table)} SET {quote(column)} = %s WHERE {quote(model._meta.pk.column)} = %s"
        with schema_editor.connection.cursor() as cursor:
            for pk, value in model.objects.values_list("pk", field_name).iterator():
                if value:
                    cursor.execute(sql, [value, pk])  # raw: the field would seal it again

    return forward, backward
