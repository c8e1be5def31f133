from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "hi.apps.web"
    label = "web"
