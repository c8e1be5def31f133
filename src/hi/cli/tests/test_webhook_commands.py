"""``hi webhooks create|list|revoke`` (audit finding 11: hooks could only be made from Python)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hi.integrations.models import WebhookEndpoint
from hi.integrations.webhooks import signed_headers

pytestmark = pytest.mark.django_db


def test_create_list_revoke(hi, lamp_gateway):
    status, out, err = hi("webhooks", "create", "test_lamps", "doorbell", "--json")
    assert status == 0, err
    created = json.loads(out)
    secret = created.pop("secret")
    assert created["path"] == "/api/v1/webhooks/test_lamps/doorbell" and created["mode"] == "hmac"
    assert WebhookEndpoint.objects.get().secret == secret

    status, out, _ = hi("webhooks", "list", "--json")
    listed = json.loads(out)
    assert [row["hook_id"] for row in listed] == ["doorbell"] and secret not in out
    status, out, _ = hi("webhooks", "list")
    assert "doorbell" in out and secret not in out

    status, out, _ = hi("webhooks", "revoke", "test_lamps/doorbell")
    assert status == 0 and "revoked" in out
    assert not WebhookEndpoint.objects.exists()
    body = b"{}"
    answer = Client().post(created["path"], body, content_type="application/json",
                           headers=signed_headers(secret, body))
    assert answer.status_code == 401


def test_bad_input_is_one_clear_line(hi, lamp_gateway):
    status, _, err = hi("webhooks", "create", "nobody", "doorbell")
    assert status == 1 and "no integration 'nobody'" in err
    status, _, err = hi("webhooks", "create", "test_lamps", "has space")
    assert status == 1 and "hook_id" in err
    status, _, err = hi("webhooks", "revoke", "42")
    assert status == 1 and "no webhook '42'" in err
