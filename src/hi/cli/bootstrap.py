"""Getting Django ready for a command: settings, quiet logging, migrations on a fresh database."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SETTINGS = "hi.settings.prod"


def setup_django(quiet: bool = True) -> None:
    """Configure Django; one-shot commands stay silent unless HI_LOG_LEVEL asks otherwise."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()
    if "HI_LOG_LEVEL" in os.environ:
        return
    if quiet:
        logging.disable(logging.CRITICAL)
    else:  # one line per HTTP request to an integration drowns what matters
        for name in ("httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.WARNING)


def pending_migrations() -> list[tuple[str, str]]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [(migration.app_label, migration.name) for migration, _backwards in plan]


def ensure_migrated() -> int:
    """Apply outstanding migrations quietly; returns how many were applied."""
    pending = pending_migrations()
    if pending:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    return len(pending)


@dataclass(frozen=True)
class FirstAccount:
    username: str
    password: str


def ensure_first_account(username: str = "admin") -> FirstAccount | None:
    """On a hub with no users, create an admin with a random password (returned once, never stored)."""
    from django.contrib.auth import get_user_model

    users = get_user_model()
    if users.objects.exists():
        return None
    password = secrets.token_urlsafe(12)
    users.objects.create_superuser(username=username, email="", password=password)
    return FirstAccount(username, password)


PASSWORD_FILE = "first-admin-password"


def first_account_lines(account: FirstAccount, url: str) -> list[str]:
    return [
        f"Created the first account. Log in at {url} as {account.username!r} with password: {account.password}",
        f"This password is shown only now; change it any time with: hi manage changepassword {account.username}",
    ]


def write_password_file(account: FirstAccount, url: str) -> Path:
    """The first password in a 0600 file in the data dir, for a hub started with no terminal.

    Standard output then goes to a service log (journald, a container's log), where a password must
    never land; the log gets only the file's path.
    """
    from django.conf import settings

    path = Path(settings.DATA_DIR) / PASSWORD_FILE
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(f"{account.username}\n{account.password}\n")
    path.chmod(0o600)
    return path


def password_file_lines(account: FirstAccount, url: str, path: Path) -> list[str]:
    return [
        f"Created the first account {account.username!r}; log in at {url}. Its one-time password is in {path} "
        "(readable only by this user).",
        f"Delete that file after logging in; change the password any time with: "
        f"hi manage changepassword {account.username}",
    ]
