"""Proxy routes, mounted at ``/zoneminder/``."""

from django.urls import path

from . import views

app_name = "zoneminder"
urlpatterns = [
    path("monitors/<int:monitor_id>/snapshot.jpg", views.snapshot, name="snapshot"),
    path("monitors/<int:monitor_id>/stream", views.stream, name="stream"),
    path("monitors/<int:monitor_id>/events/<int:event_id>/thumbnail.jpg", views.event_thumbnail,
         name="event-thumbnail"),
    path("monitors/<int:monitor_id>/events/<int:event_id>/frames/<int:frame>.jpg", views.event_frame,
         name="event-frame"),
    path("monitors/<int:monitor_id>/events/<int:event_id>/video.mp4", views.event_video, name="event-video"),
]
