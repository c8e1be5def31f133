"""Room for a backup, checked before it starts, so a backup never fills the disk.

What a backup needs, and where:

* at the destination: two copies of the database and the uploaded files at once — the staged
  snapshot and the archive being written from it (the staging directory is removed at the end);
* SQLite only, at the database's folder: room for the WAL file to grow. The backup is one long read
  transaction, and while it is open SQLite cannot start the WAL over, so everything the hub writes
  meanwhile piles up there (5 GB was seen while backing up a 2 GB database under full-speed ingest,
  about 100 times a household's rate). The allowance is the database's size again: a backup takes
  time in proportion to the database, and so does what piles up.
* PostgreSQL: the destination only (the dump's size is at most the database's); the server's own
  disk is the server's business and may not even be on this machine.

Each place also keeps ``MARGIN`` spare, and when two of them share one file system their needs add
up. ``disk_usage`` is a module attribute read at call time: it is the one edge tests replace.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from .archive import BackupError, key_files

MARGIN = 256 * 1024 * 1024  # spare per file system, beyond what the backup itself needs
disk_usage: Callable[[str], Any] = shutil.disk_usage


class NotEnoughSpace(BackupError):
    """Refused before anything was written: the message says where, how much is free and how much is needed."""


@dataclass
class Place:
    """One file system a backup writes to, and what it needs there."""

    path: Path
    need: int
    free: int
    why: list[str]

    @property
    def short(self) -> bool:
        return self.free < self.need


def gb(n: float) -> str:
    return f"{n / 1e9:.1f} GB" if n >= 1e8 else f"{n / 1e6:.0f} MB"


def _existing(path: Path) -> Path:
    """The nearest folder that exists (a destination may be created by the backup itself)."""
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path if path.is_dir() else path.parent


def database_size() -> int:
    """Bytes the snapshot will take: the SQLite file (plus its WAL's pages), or PostgreSQL's database size."""
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        return sum(p.stat().st_size for p in (name, Path(f"{name}-wal")) if p.exists())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def files_size() -> int:
    """Uploaded files and the data dir's key files, which go into the archive beside the database."""
    media = Path(settings.MEDIA_ROOT)
    total = sum(p.stat().st_size for p in media.rglob("*") if p.is_file()) if media.is_dir() else 0
    return total + sum(p.stat().st_size for p in key_files(Path(settings.DATA_DIR)))


def plan(destination: Path) -> list[Place]:
    """Where the backup into ``destination`` (a folder) writes, and what it needs there."""
    database, files = database_size(), files_size()
    wanted = [(_existing(destination), 2 * (database + files),
               f"{gb(2 * (database + files))} at {destination} for the archive and its staging copy "
               f"(the database is {gb(database)}, uploaded files and keys {gb(files)})")]
    if connection.vendor == "sqlite":
        folder = Path(str(connection.settings_dict["NAME"])).parent
        wanted.append((_existing(folder), database,
                       f"{gb(database)} at {folder} for the WAL file, which grows while the backup runs"))
    places: dict[int, Place] = {}
    for path, need, why in wanted:
        device = os.stat(path).st_dev
        if device not in places:
            places[device] = Place(path, MARGIN, int(disk_usage(str(path)).free), [])
        places[device].need += need
        places[device].why.append(why)
    return list(places.values())


def explain(place: Place) -> str:
    return (f"{place.path} has {gb(place.free)} free, and a backup needs {gb(place.need)} there: "
            f"{'; '.join(place.why)}; plus {gb(MARGIN)} to spare")


def check_room(destination: Path) -> list[Place]:
    """Refuse (``NotEnoughSpace``) when any place lacks room; returns the places otherwise."""
    places = plan(destination)
    short = [p for p in places if p.short]
    if short:
        raise NotEnoughSpace("not enough free disk space for a backup, so none was started: "
                             + " | ".join(explain(p) for p in short)
                             + ". Free some space, or back up to another disk (hi backup /path/to/folder).")
    return places
