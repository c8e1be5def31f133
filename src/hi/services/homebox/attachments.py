"""Attachments fetched lazily and kept on disk by attachment id + HomeBox's ``updatedAt``.

Nothing is downloaded at import. The first time someone opens a file the hub fetches it with the
integration's token and keeps it as ``<attachment id>-<hash of updatedAt>``; a later ``updatedAt``
(the file was replaced) is a different name, so the new file is fetched and the old one deleted;
an unchanged one is served from disk and never downloaded twice. Link attachments are never fetched.
A complete sync prunes the files of attachments HomeBox no longer has, and the cache keeps under a
size cap by dropping the files opened longest ago (they are fetched again if someone opens them).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from hi.apps.entity.models import Entity
from hi.integrations.exceptions import ConfigurationError
from hi.integrations.timeouts import configured as configured_timeouts

from .client import INTEGRATION_ID, Attachment, HomeBoxClient
from .hb_converter import cached_detail
from .hb_settings import settings_from
from .monitors import configured_attributes

# served inline (the entity page shows them); anything else is a download, so no HTML/SVG runs here
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"})


class NotFound(Exception):
    """No such item or attachment in what the last sync stored (or it is a link)."""


@dataclass(frozen=True)
class CachedFile:
    path: Path
    content_type: str
    filename: str
    downloaded: bool  # True when this call fetched it from HomeBox

    @property
    def inline(self) -> bool:
        return self.content_type in INLINE_TYPES


DEFAULT_CACHE_MB = 1024


def cache_dir() -> Path:
    return Path(getattr(settings, "HOMEBOX_ATTACHMENT_DIR", settings.DATA_DIR / "homebox-attachments"))


def cache_name(attachment: Attachment) -> str:
    version = hashlib.sha256(attachment.updated_at.encode()).hexdigest()[:16]
    return f"{attachment.id}-{version}"


def cache_limit_bytes() -> int:
    return int(float(getattr(settings, "HOMEBOX_ATTACHMENT_CACHE_MB", DEFAULT_CACHE_MB)) * 1024 * 1024)


def _cached_files(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.is_file() and not p.name.startswith(".")
            and not p.name.endswith(".type")] if directory.is_dir() else []


def _drop(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(f"{path.name}.type").unlink(missing_ok=True)


def prune(current_ids: Iterable[str], limit_bytes: int | None = None) -> int:
    """Delete files of attachments not in ``current_ids``, then the least recently opened over the cap.

    Returns how many files were deleted. Call it only with a complete list of attachment ids (a
    sync that skipped an item must not make its files look orphaned)."""
    directory = cache_dir()
    keep = set(current_ids)
    deleted = 0
    survivors: list[tuple[float, int, Path]] = []
    for path in _cached_files(directory):
        if path.name.rsplit("-", 1)[0] not in keep:
            _drop(path)
            deleted += 1
            continue
        stat = path.stat()
        survivors.append((stat.st_mtime, stat.st_size, path))
    limit = cache_limit_bytes() if limit_bytes is None else limit_bytes
    total = sum(size for _, size, _ in survivors)
    for _, size, path in sorted(survivors):
        if total <= limit:
            break
        _drop(path)
        total -= size
        deleted += 1
    return deleted


def find(item_id: str, attachment_id: str) -> Attachment:
    """The attachment as the last sync saw it (so its ``updatedAt`` is the one the cache is keyed by)."""
    payload = (Entity.objects.filter(integration_id=INTEGRATION_ID, integration_name=item_id)
               .values_list("integration_payload", flat=True).first())
    detail = cached_detail(payload)
    attachment = next((a for a in detail.attachments if a.id == attachment_id), None) if detail else None
    if attachment is None or attachment.is_link:
        raise NotFound(attachment_id)
    return attachment


def content_type_of(attachment: Attachment, answered: str = "") -> str:
    for candidate in (attachment.mime_type, answered.split(";")[0].strip(), mimetypes.guess_type(attachment.title)[0]):
        if candidate and "/" in candidate and candidate != "application/octet-stream":
            return candidate
    return "application/octet-stream"


def _store(directory: Path, name: str, content: bytes) -> Path:
    """Write atomically (a reader never sees half a file) and drop older versions of the attachment."""
    directory.mkdir(parents=True, exist_ok=True)
    attachment_id = name.rsplit("-", 1)[0]
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".part-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    target = directory / name
    os.replace(temporary, target)
    for old in directory.glob(f"{attachment_id}-*"):
        if old.name != name and not old.name.endswith(".type"):
            old.unlink(missing_ok=True)
            (directory / f"{old.name}.type").unlink(missing_ok=True)
    return target


def fetch(item_id: str, attachment_id: str) -> CachedFile:
    """The file from the cache, or from HomeBox once (raises NotFound, or an IntegrationError)."""
    attachment = find(item_id, attachment_id)
    directory = cache_dir()
    name = cache_name(attachment)
    path = directory / name
    type_file = directory / f"{name}.type"
    if path.exists():
        os.utime(path)  # opened now: the cap drops the files opened longest ago first
        answered = type_file.read_text() if type_file.exists() else ""
        return CachedFile(path, content_type_of(attachment, answered), attachment.title, False)
    attributes = configured_attributes()
    if attributes is None:
        raise ConfigurationError("HomeBox is not configured", integration_id=INTEGRATION_ID)
    with HomeBoxClient(settings_from(attributes), timeouts=configured_timeouts()) as client:
        content, answered = client.attachment(item_id, attachment_id)
    path = _store(directory, name, content)
    type_file.write_text(answered[:100])
    return CachedFile(path, content_type_of(attachment, answered), attachment.title, True)
