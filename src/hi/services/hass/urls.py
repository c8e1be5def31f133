"""Camera proxy routes, mounted at ``/hass/``."""

from django.urls import path

from . import image_views, views

app_name = "hass"
urlpatterns = [
    path("cameras/<str:entity_id>/picture", views.picture, name="camera-picture"),
    path("cameras/<str:entity_id>/stream", views.stream, name="camera-stream"),
    path("images/<str:entity_id>", image_views.image, name="image"),
]
