"""Inbound webhooks: routed to the owning gateway; unknown → 404, bad auth → 401, nothing changed."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pytest
from django.test import Client

from hi.integrations import integration_factory
from hi.integrations.exceptions import DataValidationError
from hi.integrations.integration_gateway import ConnectionTestResult, IntegrationGateway
from hi.integrations.models import WebhookEndpoint
from hi.integrations.webhooks import SIGNATURE_HEADER, create_webhook, sign, webhook_path

pytestmark = pytest.mark.django_db


class HookGateway(IntegrationGateway):
    """A gateway that accepts ``{"value": <int>}`` on hook ``doorbell``."""

    integration_id: ClassVar[str] = "hooktest"
    label: ClassVar[str] = "Hook test"
    received: ClassVar[list[Any]] = []

    def test_connection(self, attributes: Mapping[str, str], timeout: float) -> ConnectionTestResult:
        return ConnectionTestResult(True, "ok")

    def handle_webhook(self, hook_id: str, payload: Any, headers: Mapping[str, str]) -> dict[str, Any] | None:
        if hook_id != "doorbell":
            raise NotImplementedError
        if not isinstance(payload, dict) or not isinstance(payload.get("value"), int):
            raise DataValidationError("field value: must be an integer", field="value")
        self.received.append(payload)
        return {"stored": len(self.received)}


@pytest.fixture(autouse=True)
def gateway() -> Iterator[type[HookGateway]]:
    integration_factory.register(HookGateway)
    HookGateway.received.clear()
    yield HookGateway
    integration_factory.unregister("hooktest")


def post(body: bytes, headers: dict[str, str] | None = None, path: str | None = None, query: str = "") -> Any:
    url = (path or webhook_path("hooktest", "doorbell")) + query
    return Client().post(url, data=body, content_type="application/json",
                         headers=headers or {})


def test_signed_call_reaches_the_gateway_and_is_counted() -> None:
    _, secret = create_webhook("hooktest", "doorbell")
    body = json.dumps({"value": 3}).encode()
    response = post(body, {SIGNATURE_HEADER: sign(secret, body)})
    assert response.status_code == 200 and response.json() == {"accepted": True, "stored": 1}
    assert HookGateway.received == [{"value": 3}]
    assert WebhookEndpoint.objects.get(hook_id="doorbell").received_count == 1


def test_secret_in_url_mode() -> None:
    _, secret = create_webhook("hooktest", "doorbell", mode=WebhookEndpoint.Mode.URL_SECRET)
    assert post(b'{"value": 1}', query=f"?token={secret}").status_code == 200
    assert post(b'{"value": 1}', query="?token=wrong").status_code == 401
    assert HookGateway.received == [{"value": 1}]


@pytest.mark.parametrize("signature", ["", "sha256=00", "sha256=" + "0" * 64])
def test_bad_signature_is_401_and_changes_nothing(signature: str, caplog: pytest.LogCaptureFixture) -> None:
    _, secret = create_webhook("hooktest", "doorbell")
    response = post(b'{"value": 1}', {SIGNATURE_HEADER: signature} if signature else {})
    assert response.status_code == 401
    assert HookGateway.received == []
    assert WebhookEndpoint.objects.get(hook_id="doorbell").received_count == 0
    assert secret not in caplog.text


def test_signature_over_a_different_body_is_refused() -> None:
    _, secret = create_webhook("hooktest", "doorbell")
    assert post(b'{"value": 2}', {SIGNATURE_HEADER: sign(secret, b'{"value": 1}')}).status_code == 401


def test_unknown_hook_or_integration_is_404() -> None:
    create_webhook("hooktest", "doorbell")
    assert post(b"{}", path=webhook_path("hooktest", "nope")).status_code == 404
    assert post(b"{}", path=webhook_path("nobody", "doorbell")).status_code == 404


def test_disabled_hook_is_404() -> None:
    endpoint, secret = create_webhook("hooktest", "doorbell")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    body = b'{"value": 1}'
    assert post(body, {SIGNATURE_HEADER: sign(secret, body)}).status_code == 404


def test_oversized_body_is_413_before_authentication() -> None:
    _, secret = create_webhook("hooktest", "doorbell", max_bytes=64)
    body = json.dumps({"value": 1, "pad": "x" * 100}).encode()
    assert post(body, {SIGNATURE_HEADER: sign(secret, body)}).status_code == 413
    assert HookGateway.received == []


def test_non_json_and_invalid_payloads_are_400_and_change_nothing() -> None:
    _, secret = create_webhook("hooktest", "doorbell")
    for body in (b"<html>", b'{"value": "high"}'):
        response = post(body, {SIGNATURE_HEADER: sign(secret, body)})
        assert response.status_code == 400
    assert HookGateway.received == []
    assert WebhookEndpoint.objects.get(hook_id="doorbell").received_count == 0


def test_gateway_without_webhooks_is_404(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hi.integrations.webhooks")
    _, secret = create_webhook("hooktest", "other")
    body = b"{}"
    assert post(body, {SIGNATURE_HEADER: sign(secret, body)},
                path=webhook_path("hooktest", "other")).status_code == 404
    assert WebhookEndpoint.objects.get(hook_id="other").received_count == 0
    assert "accepted" not in caplog.text, "a hook nobody handles is not reported as accepted"
    assert secret not in caplog.text


def test_only_post_is_allowed() -> None:
    create_webhook("hooktest", "doorbell")
    assert Client().get(webhook_path("hooktest", "doorbell")).status_code == 405
