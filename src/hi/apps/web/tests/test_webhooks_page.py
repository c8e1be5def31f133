"""The webhooks page: administrators create (secret shown once), list and revoke; others are refused."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from hi.integrations.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", password="correct horse battery"))
    return client


def test_create_shows_the_secret_once_then_list_and_revoke(admin_client):
    answer = admin_client.post(reverse("webhooks"), {"integration": "hass", "hook_id": "doorbell", "mode": "hmac",
                                                     "max_bytes": "4096"})
    assert answer.status_code == 200
    secret = WebhookEndpoint.objects.get().secret
    body = answer.content.decode()
    assert secret in body and "/api/v1/webhooks/hass/doorbell" in body
    listing = admin_client.get(reverse("webhooks")).content.decode()
    assert "/api/v1/webhooks/hass/doorbell" in listing and secret not in listing
    hook = WebhookEndpoint.objects.get()
    assert admin_client.post(reverse("webhook-revoke", args=[hook.pk])).status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_bad_input_is_shown_on_the_form(admin_client):
    answer = admin_client.post(reverse("webhooks"), {"integration": "hass", "hook_id": "no spaces", "mode": "hmac"})
    assert answer.status_code == 400 and "letters, digits" in answer.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_non_administrators_are_refused(role):
    from hi.apps.access.testing import make_user

    client = Client()
    client.force_login(make_user(f"someone-{role}", role=role))
    assert client.get(reverse("webhooks")).status_code == 403
    assert client.post(reverse("webhooks"), {"integration": "hass", "hook_id": "x"}).status_code == 403
    assert not WebhookEndpoint.objects.exists()
