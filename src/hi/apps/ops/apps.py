from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: retention and hourly aggregates, backup and restore, export, doctor, service install."""

    name = "hi.apps.ops"
    label = "ops"
