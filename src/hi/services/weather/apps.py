from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "hi.services.weather"
    label = "weather"
