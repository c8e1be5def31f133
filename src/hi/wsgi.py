"""WSGI entry point, for servers that do not speak ASGI (live updates need ASGI).

:func:`wrap` adds what must run before Django reads a request — the body limits the ASGI app has
(``hi.http.wsgi_body_limits``, the same route classes and limits) — so a WSGI deployment is not the weaker one.
"""

import os

from django.core.wsgi import get_wsgi_application

from hi.http.wsgi_body_limits import WSGIApp, WSGIBodyLimitMiddleware
from hi.settings.startup import settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hi.settings.prod")
settings_or_exit()  # a bad HI_* value: one line and exit status 4, not a traceback (hi/settings/startup.py)


def wrap(app: WSGIApp) -> WSGIApp:
    """The hub's WSGI layers around a Django handler."""
    return WSGIBodyLimitMiddleware(app)


application = wrap(get_wsgi_application())
