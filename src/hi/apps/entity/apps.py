from django.apps import AppConfig


class EntityConfig(AppConfig):
    name = "hi.apps.entity"
    label = "entity"
