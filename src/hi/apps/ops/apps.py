from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: retention and hourly aggregates, backup and restore, export, doctor, service install."""

    name = "hi.apps.ops"
    label = "ops"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.backends.signals import connection_created

        from .permissions import PRIVATE_DIR, make_private, protect_sqlite_files

        make_private(settings.DATA_DIR, PRIVATE_DIR)
        connection_created.connect(protect_sqlite_files, dispatch_uid="hi.ops.protect_sqlite_files")
