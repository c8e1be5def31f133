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

# SQLite tests use a file in the temporary data dir rather than a shared-cache memory database: the
# live-server browser tests write from several threads, which shared-cache memory refuses ("table is locked").
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - ServeStatic warns about a missing root
HI_HOUSEHOLD_CACHE_SECONDS = 0  # household settings are read afresh: each test has its own database
HI_BACKUP_INTERVAL_HOURS = 0  # no scheduled backups from workers that tests start
