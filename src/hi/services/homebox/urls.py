"""HomeBox pages, mounted at ``/homebox/``: attachments through the hub and the warranty list."""

from django.urls import path

from . import views

app_name = "homebox"
urlpatterns = [
    path("items/<str:item_id>/attachments/<str:attachment_id>", views.attachment, name="attachment"),
    path("warranties/", views.warranties, name="warranties"),
]
