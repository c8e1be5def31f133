"""ASGI entry point (uvicorn serves this; server-sent events need it).

:func:`wrap` adds what must run before Django buffers a request (body limits); ``hi run``, the tests'
servers and any other ASGI server use ``application`` or wrap their own handler with it.
"""

import os

from django.core.asgi import get_asgi_application

from hi.http.body_limits import ASGIApp, BodyLimitMiddleware
from hi.settings.startup import settings_or_exit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hi.settings.prod")
settings_or_exit()  # a bad HI_* value: one line and exit status 4, not a traceback (hi/settings/startup.py)


def wrap(app: ASGIApp) -> ASGIApp:
    """The hub's ASGI layers around a Django handler."""
    return BodyLimitMiddleware(app)


application = wrap(get_asgi_application())
