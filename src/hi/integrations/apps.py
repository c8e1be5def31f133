from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "hi.integrations"
    label = "integrations"
    verbose_name = "Integrations"
