from django.apps import AppConfig


class ControlConfig(AppConfig):
    name = "hi.apps.control"
    label = "control"
