"""URL of the inbound webhook endpoint, included by ``hi/urls.py`` before the REST API."""

from django.urls import path

from . import webhooks

urlpatterns = [
    path("<str:integration_id>/<str:hook_id>", webhooks.receive, name="webhook"),
]
