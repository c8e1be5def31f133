from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "hi.apps.access"
    label = "access"
    verbose_name = "Access (roles)"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - a new user gets a role; logout ends its streams
