"""Test settings: fast password hashing, a temporary data dir; DATABASE_URL still picks the database."""

import os
import tempfile

os.environ.setdefault("HI_DATA_DIR", tempfile.mkdtemp(prefix="hi-test-data-"))

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
