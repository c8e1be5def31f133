from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hi.apps.web"
    label = "web"

    def ready(self) -> None:
        from . import settings_operations  # noqa: F401 - registers the Retention and Backups settings sections
