"""Loading the settings at a server's start: a bad ``HI_*`` value ends it with one line, not a traceback.

Why: ``hi/settings/env.py`` words a bad value as one sentence (variable, value, what is expected),
but under an external server (``uvicorn hi.asgi:application``, ``gunicorn hi.wsgi``) or ``manage.py``
that sentence arrives as the last line of Django's traceback. The entry points call
:func:`settings_or_exit` first; it prints ``hi: <the sentence>`` and exits with status 4.

Why 4: gunicorn's master reads a worker's exit status 4 as "the app failed to load" and stops;
with any other status it starts the worker again, for ever. With ``--preload`` the master loads
the app itself and simply exits 4. Other servers only need the status to be non-zero.
"""

from __future__ import annotations

import sys

from django.core.exceptions import ImproperlyConfigured

BAD_SETTING_EXIT = 4  # gunicorn.arbiter.Arbiter.APP_LOAD_ERROR: its master stops instead of respawning


def settings_or_exit() -> None:
    """Import the settings module now (``DJANGO_SETTINGS_MODULE``); a setting it refuses ends the process."""
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 - the first attribute read imports the settings module
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"hi: {exc}\n")
        sys.stderr.flush()
        raise SystemExit(BAD_SETTING_EXIT) from None
