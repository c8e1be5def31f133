"""The alarm app: wires rule evaluation after the pipeline's commits and default rules after syncs."""

from django.apps import AppConfig


class AlarmConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hi.apps.alarm"
    label = "alarm"
    verbose_name = "Alarms"

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
