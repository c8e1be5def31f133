from django.apps import AppConfig


class EventConfig(AppConfig):
    name = "hi.apps.event"
    label = "event"
