"""Attachments fetched lazily and kept on disk by attachment id + HomeBox's ``updatedAt``.

Nothing is downloaded at import. The first time someone opens a file the hub fetches it with the
integration's token and keeps it as ``<attachment id>-<hash of updatedAt>``; a later ``updatedAt``
(the file was replaced) is a different name, so the new file is fetched and the old one deleted;
an unchanged one is served from disk and never downloaded twice. Link attachments are never fetched.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from hi.apps.entity.models import Entity
from hi.integrations.exceptions import ConfigurationError

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


def cache_dir() -> Path:
    return Path(getattr(settings, "HOMEBOX_ATTACHMENT_DIR", settings.DATA_DIR / "homebox-attachments"))


def cache_name(attachment: Attachment) -> str:
    version = hashlib.sha256(attachment.updated_at.encode()).hexdigest()[:16]
    return f"{attachment.id}-{version}"


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
        answered = type_file.read_text() if type_file.exists() else ""
        return CachedFile(path, content_type_of(attachment, answered), attachment.title, False)
    attributes = configured_attributes()
    if attributes is None:
        raise ConfigurationError("HomeBox is not configured", integration_id=INTEGRATION_ID)
    with HomeBoxClient(settings_from(attributes)) as client:
        content, answered = client.attachment(item_id, attachment_id)
    path = _store(directory, name, content)
    type_file.write_text(answered[:100])
    return CachedFile(path, content_type_of(attachment, answered), attachment.title, True)
