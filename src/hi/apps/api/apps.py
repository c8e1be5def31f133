from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hi.apps.api"
    label = "api"
