"""The data dir and the SQLite files are private to the hub's user (0700 / 0600).

They hold the database (sealed secrets, but also the whole household's history), the secret key and the
secrets key. SQLite creates its files with the process umask (usually 0644: world-readable), so the
mode is set each time a connection opens — cheap, and it covers the -wal and -shm files SQLite adds later.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def make_private(path: Path, mode: int) -> None:
    """chmod ``path`` to ``mode`` when it exists, is ours and is looser; never fails the caller."""
    with contextlib.suppress(OSError):
        info = path.stat()
        if info.st_uid == os.getuid() and info.st_mode & 0o777 != mode:
            path.chmod(mode)


def protect_sqlite_files(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: the database file and its companions become 0600."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        make_private(Path(name + suffix), PRIVATE_FILE)
