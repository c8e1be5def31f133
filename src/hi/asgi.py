"""ASGI entry point (uvicorn serves this; server-sent events need it)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hi.settings.prod")
application = get_asgi_application()
