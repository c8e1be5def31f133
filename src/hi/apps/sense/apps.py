from django.apps import AppConfig


class SenseConfig(AppConfig):
    name = "hi.apps.sense"
    label = "sense"
