from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "hi.services.homebox"
    label = "homebox"
