from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "hi.apps.monitor"
    label = "monitor"
