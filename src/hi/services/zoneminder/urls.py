"""Proxy routes, mounted at ``/zoneminder/``."""

from django.urls import path

from . import views

app_name = "zoneminder"
urlpatterns = [
    path("monitors/<int:monitor_id>/snapshot.jpg", views.snapshot, name="snapshot"),
    path("monitors/<int:monitor_id>/stream", views.stream, name="stream"),
]
