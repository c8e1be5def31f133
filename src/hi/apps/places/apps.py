from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "hi.apps.places"
    label = "places"
    verbose_name = "Places"
