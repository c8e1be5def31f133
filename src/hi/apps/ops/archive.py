"""The backup archive: one tar file holding ``manifest.json``, the database snapshot, files and keys.

The manifest lists every other member with its SHA-256 and size, so a restore verifies the whole
archive before it touches anything; it also records the hi version, the database vendor, the applied
migrations per app (to refuse an archive from a newer schema) and row counts per table.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
from pathlib import Path, PurePosixPath
from typing import Any

from .pacing import PacedReader, Pacer

FORMAT = "hi-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PREFIX = "hi-backup-"
SUFFIX = ".tar"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def key_files(data_dir: Path) -> list[Path]:
    """The secret key and any other key file kept at the top of the data dir (they go into every backup)."""
    return sorted(p for p in data_dir.iterdir()
                  if p.is_file() and "key" in p.name.lower() and not p.name.startswith(PREFIX))


def sha256_file(path: Path, pacer: Pacer | None = None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as raw:
        handle = PacedReader(raw, pacer) if pacer else raw
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_archive(target: Path, staging: Path, manifest: dict[str, Any], pacer: Pacer | None = None) -> Path:
    """Write ``staging``'s files plus the manifest into ``target`` (via a partial file, then a rename)."""
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w") as tar:
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mode = 0o600
        import io

        tar.addfile(info, io.BytesIO(data))
        for name in sorted(manifest["files"]):
            info = tar.gettarinfo(staging / name, arcname=name)
            with (staging / name).open("rb") as handle:
                tar.addfile(info, PacedReader(handle, pacer) if pacer else handle)
    partial.chmod(0o600)  # it holds the secret key
    partial.replace(target)
    return target


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name != ""


def read_manifest(archive: Path) -> dict[str, Any]:
    """The archive's manifest, after checking it is one of ours."""
    try:
        with tarfile.open(archive, "r") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read())
    except FileNotFoundError:
        raise BackupError(f"no such archive: {archive}") from None
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as exc:
        raise BackupError(f"{archive} is not a readable hi backup ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} is not a hi backup (no {FORMAT} manifest)")
    if int(manifest.get("format_version", 0)) > FORMAT_VERSION:
        raise BackupError(f"{archive} uses backup format {manifest['format_version']}; this hi reads "
                          f"{FORMAT_VERSION}: upgrade hi first")
    return manifest


def extract_verified(archive: Path, destination: Path) -> dict[str, Any]:
    """Extract every member into ``destination`` and check sizes and checksums against the manifest.

    Any mismatch, a missing or unexpected member, or an unsafe path refuses the whole archive.
    """
    manifest = read_manifest(archive)
    expected: dict[str, dict[str, Any]] = manifest["files"]
    seen: set[str] = set()
    with tarfile.open(archive, "r") as tar:
        for member in tar:
            if member.name == MANIFEST:
                continue
            if not _safe_name(member.name) or not member.isfile() or member.name not in expected:
                raise BackupError(f"archive member {member.name!r} is not in the manifest: refusing {archive}")
            target = destination / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            if source is None:
                raise BackupError(f"archive member {member.name!r} cannot be read: refusing {archive}")
            digest = hashlib.sha256()
            with source, target.open("wb") as out:
                while block := source.read(1 << 20):
                    digest.update(block)
                    out.write(block)
            if digest.hexdigest() != expected[member.name]["sha256"]:
                raise BackupError(f"checksum mismatch for {member.name}: the archive is corrupt, nothing restored")
            seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"archive is missing {', '.join(missing)}: it is incomplete, nothing restored")
    return manifest


def backups_in(directory: Path) -> list[Path]:
    """Finished backups in ``directory``, oldest first (names carry a UTC timestamp)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
