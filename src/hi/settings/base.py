"""Settings shared by every environment; everything a household changes comes from the environment."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hi.utils.zones import is_valid as is_valid_zone
from hi.utils.zones import system_zone_name

from .env import check_numbers, env_bool, env_choice, env_float, env_int, env_list, env_text

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_text("HI_DATA_DIR", str(Path.cwd() / "data"))).resolve()
try:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    raise ImproperlyConfigured(f"HI_DATA_DIR={str(DATA_DIR)!r} cannot be used: {exc.strerror or exc}; expected a "
                               "directory this user may create and write") from None


def _secret_key() -> str:
    """A per-installation key: from the environment, else generated once and kept in the data dir."""
    from_env = os.environ.get("HI_SECRET_KEY")
    if from_env:
        return from_env
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _check_secrets_keys() -> None:
    """``HI_SECRETS_KEY`` (read by hi.utils.sealed when a secret is first sealed or opened) checked at start,
    so a mistyped key stops the hub now, not at the first integration save; the value is never repeated."""
    from cryptography.fernet import Fernet

    for part in env_list("HI_SECRETS_KEY", ""):
        try:
            Fernet(part.encode())
        except ValueError:
            raise ImproperlyConfigured("HI_SECRETS_KEY is not valid: expected Fernet keys, comma-separated "
                                       "(hi secrets new-key prints one)") from None


_check_secrets_keys()
DEBUG = env_bool("HI_DEBUG", False)
ALLOWED_HOSTS = env_list("HI_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("HI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "servestatic.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",  # login throttling (AXES_* below)
    "ninja",  # Swagger UI served from its bundled static files: API docs work offline
    "hi.apps.entity",
    "hi.apps.places",
    "hi.apps.sense",
    "hi.apps.control",
    "hi.apps.event",
    "hi.apps.monitor",
    "hi.apps.household",
    "hi.apps.alarm",
    "hi.apps.access",
    "hi.apps.api",
    "hi.apps.web",
    "hi.apps.ops",
    "hi.integrations",
    "hi.services.hass",
    "hi.services.zoneminder",
    "hi.services.weather",
    "hi.services.homebox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hi.http.headers.SecurityHeadersMiddleware",  # Content-Security-Policy, Permissions-Policy
    "servestatic.middleware.ServeStaticMiddleware",  # async: files stream without a thread per chunk
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "hi.apps.access.middleware.AccessMiddleware",  # every route's role/scope rule (hi.apps.access.rules)
    "hi.apps.household.middleware.HouseholdTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its answer
]

ROOT_URLCONF = "hi.urls"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hi.apps.web.context_processors.alarm",
                "hi.apps.access.context_processors.access",  # `can`: which controls a page shows
            ],
        },
    },
]

ASGI_APPLICATION = "hi.asgi.application"
WSGI_APPLICATION = "hi.wsgi.application"


def _database() -> dict:
    url = env_text("DATABASE_URL", "")
    if url:
        try:
            config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        except ValueError:  # the URL holds the password: it is never repeated in the message
            raise ImproperlyConfigured("DATABASE_URL is not valid: expected postgres://USER:PASSWORD@HOST:PORT/NAME "
                                       "or sqlite:////absolute/path/hi.sqlite3 (special characters in the "
                                       "password %-encoded)") from None
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "hi.sqlite3")}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web app read while the worker writes; IMMEDIATE avoids upgrade deadlocks. A WAL
        # that grew during a long backup or prune is cut back to 64 MiB at the next checkpoint that
        # empties it, instead of keeping its peak size on disk for ever.
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].update(
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
                                "PRAGMA journal_size_limit=67108864;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            }
        )
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The default zone; each request uses the household's (hi.apps.household.timezones: env, settings page, system).
TIME_ZONE = env_text("HI_TIME_ZONE", "") or system_zone_name()
if not is_valid_zone(TIME_ZONE):
    raise ImproperlyConfigured(f"HI_TIME_ZONE={TIME_ZONE!r} is not valid: expected a time zone name such as "
                               "Europe/Berlin or America/Chicago (unset, it is the system's zone)")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "servestatic.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Request body limits per route class, enforced before buffering (hi.http.body_limits, in the ASGI layer).
HI_MAX_BODY_BYTES = env_int("HI_MAX_BODY_BYTES", 1024 * 1024)  # forms, API JSON
HI_MAX_UPLOAD_BYTES = env_int("HI_MAX_UPLOAD_BYTES", 16 * 1024 * 1024)  # plans, files
HI_MAX_SMALL_BODY_BYTES = 16 * 1024  # the login pages
HI_MAX_WEBHOOK_BYTES = 1024 * 1024  # the ceiling; each hook has its own smaller limit too

# Login throttling (django-axes) on /login/ and /admin/login/: after HI_LOGIN_FAILURE_LIMIT wrong passwords
# from one client address, or for one user name, further attempts are refused (429, a page saying until when)
# for HI_LOGIN_LOCKOUT_MINUTES; `hi users unlock NAME` (or the admin's "Access attempts") lifts it sooner.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("HI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_float("HI_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # each on its own: by address, and by user name
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hi.apps.access.lockout.locked_out"
AXES_VERBOSE = False
# Masked in axes' records of failures (the "Your account" form's fields too: a wrong current password counts).
AXES_SENSITIVE_PARAMETERS = ["password", "current_password", "new_password", "new_password_confirm"]
# Open live streams re-check their credentials this often (a revoked token or logged-out session ends them).
HI_STREAM_RECHECK_SECONDS = env_float("HI_STREAM_RECHECK_SECONDS", 2)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Behind a reverse proxy that terminates TLS (docs/security.md): trust its X-Forwarded-Proto, send cookies
# only over HTTPS, and optionally HSTS. Only when the proxy is the one way in: a client reaching the hub
# directly could claim https itself.
HI_BEHIND_TLS_PROXY = env_bool("HI_BEHIND_TLS_PROXY", False)
HI_HSTS_SECONDS = env_int("HI_HSTS_SECONDS", 0, minimum=0)  # checked even while unused: a typo shows at once
if HI_BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = HI_HSTS_SECONDS
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False

LOG_LEVEL = env_choice("HI_LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "hi.utils.redaction.RedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
        "discard": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # its INFO lines note every successful sign-in
        # Apprise's own lines can quote channel URLs (secrets); hi.apps.alarm.notify records its messages redacted
        "apprise": {"handlers": ["discard"], "propagate": False},
    },
}

# Integration runtime knobs; each integration may override its own.
HI_HTTP_READ_TIMEOUT = env_float("HI_HTTP_READ_TIMEOUT", 30)
HI_HTTP_CONNECT_TIMEOUT = env_float("HI_HTTP_CONNECT_TIMEOUT", 5)
HI_CONNECTION_TEST_TIMEOUT = env_float("HI_CONNECTION_TEST_TIMEOUT", 10)
# Retention, backup and pruning numbers: hi.apps.ops.config reads them (the environment wins over the Settings
# page); checked here as well, so a typo stops the start rather than a maintenance pass hours later.
check_numbers(["HI_RETENTION_SENSOR_HISTORY_DAYS", "HI_RETENTION_AGGREGATES_DAYS", "HI_RETENTION_EVENTS_DAYS",
               "HI_RETENTION_CONTROL_HISTORY_DAYS", "HI_BACKUP_INTERVAL_HOURS", "HI_BACKUP_KEEP", "HI_PRUNE_BATCH",
               "HI_PRUNE_PAUSE", "HI_PRUNE_DUTY", "HI_BACKUP_DUTY", "HI_MAINTENANCE_INTERVAL"])
# HomeBox files opened in the hub are kept on disk up to this size (the least recently opened go first)
HOMEBOX_ATTACHMENT_CACHE_MB = env_float("HI_HOMEBOX_ATTACHMENT_CACHE_MB", 1024, allow_zero=True)  # 0: keep none
# Live camera streams the hub relays at once, in all and per camera (hi.integrations.stream_limits)
HI_CAMERA_STREAMS_TOTAL = env_int("HI_CAMERA_STREAMS_TOTAL", 8)
HI_CAMERA_STREAMS_PER_CAMERA = env_int("HI_CAMERA_STREAMS_PER_CAMERA", 2)
# Event thumbnails kept on disk: size cap and how long a finished event's is kept (hi.integrations.thumbnail_cache)
HI_THUMBNAIL_CACHE_MB = env_float("HI_THUMBNAIL_CACHE_MB", 256)
HI_THUMBNAIL_CACHE_DAYS = env_float("HI_THUMBNAIL_CACHE_DAYS", 30)
# A SQLite database up to this size is rewritten for incremental auto-vacuum when migrated (ops migration 0002)
HI_VACUUM_ON_MIGRATE_MAX_MB = env_float("HI_VACUUM_ON_MIGRATE_MAX_MB", 512, allow_zero=True)
