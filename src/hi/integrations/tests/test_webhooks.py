"""Inbound webhooks: routed to the owning gateway; unknown or bad auth → the same 401, replays refused."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import pytest
from django.test import Client

from hi.integrations import integration_factory
from hi.integrations.exceptions import DataValidationError
from hi.integrations.integration_gateway import ConnectionTestResult, IntegrationGateway
from hi.integrations.models import WebhookEndpoint
from hi.integrations.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE_SECONDS,
    create_webhook,
    sign,
    signed_headers,
    webhook_path,
)

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
    response = post(body, signed_headers(secret, body))
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
    headers = {SIGNATURE_HEADER: signature, TIMESTAMP_HEADER: str(int(time.time()))} if signature else {}
    response = post(b'{"value": 1}', headers)
    assert response.status_code == 401
    assert HookGateway.received == []
    assert WebhookEndpoint.objects.get(hook_id="doorbell").received_count == 0
    assert secret not in caplog.text


def test_signature_over_a_different_body_is_refused() -> None:
    _, secret = create_webhook("hooktest", "doorbell")
    headers = signed_headers(secret, b'{"value": 1}')
    assert post(b'{"value": 2}', headers).status_code == 401


def test_unknown_hooks_answer_exactly_as_unauthenticated_calls() -> None:
    # security audit finding 11: unknown ids answered 404 before authentication, so ids could be probed
    create_webhook("hooktest", "doorbell")
    unauthenticated = post(b"{}")
    for path in (webhook_path("hooktest", "nope"), webhook_path("nobody", "doorbell")):
        unknown = post(b"{}", path=path)
        assert (unknown.status_code, unknown.content) == (unauthenticated.status_code, unauthenticated.content)
    assert unauthenticated.status_code == 401


def test_disabled_hook_answers_as_unknown() -> None:
    endpoint, secret = create_webhook("hooktest", "doorbell")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    body = b'{"value": 1}'
    assert post(body, signed_headers(secret, body)).status_code == 401


def test_oversized_body_is_413_for_an_authenticated_sender() -> None:
    _, secret = create_webhook("hooktest", "doorbell", max_bytes=64)
    body = json.dumps({"value": 1, "pad": "x" * 100}).encode()
    assert post(body, signed_headers(secret, body)).status_code == 413
    assert post(body, {SIGNATURE_HEADER: "sha256=00"}).status_code == 401  # a stranger learns nothing
    assert HookGateway.received == []


def test_a_replayed_delivery_is_refused() -> None:
    # security audit finding 11: the same signed request could be sent again and again
    _, secret = create_webhook("hooktest", "doorbell")
    body = b'{"value": 5}'
    headers = signed_headers(secret, body)
    assert post(body, headers).status_code == 200
    replay = post(body, headers)
    assert replay.status_code == 409
    assert HookGateway.received == [{"value": 5}]
    assert WebhookEndpoint.objects.get(hook_id="doorbell").received_count == 1


# a few seconds past the window: a stamp is whole seconds, so one second past it was inside it again whenever the
# clock's fraction and the time to answer added up to a second (a future stamp, 1 run in about 50)
@pytest.mark.parametrize("age", [TOLERANCE_SECONDS + 5, -(TOLERANCE_SECONDS + 5), 10**9])
def test_an_old_or_future_timestamp_is_refused(age: int) -> None:
    _, secret = create_webhook("hooktest", "doorbell")
    body = b'{"value": 5}'
    response = post(body, signed_headers(secret, body, int(time.time()) - age))
    assert response.status_code == 401 and "timestamp" in response.json()["error"]
    assert HookGateway.received == []


def test_the_signature_covers_the_timestamp() -> None:
    _, secret = create_webhook("hooktest", "doorbell")
    body = b'{"value": 5}'
    headers = signed_headers(secret, body, int(time.time()) - 1000)
    headers[TIMESTAMP_HEADER] = str(int(time.time()))  # a fresh stamp on an old signature
    assert post(body, headers).status_code == 401
    assert sign(secret, body, 1) != sign(secret, body, 2)


def test_non_json_and_invalid_payloads_are_400_and_change_nothing() -> None:
    _, secret = create_webhook("hooktest", "doorbell")
    for body in (b"<html>", b'{"value": "high"}'):
        response = post(body, signed_headers(secret, body))
        assert response.status_code == 400
    assert HookGateway.received == []
    assert WebhookEndpoint.objects.get(hook_id="doorbell").received_count == 0


def test_gateway_without_webhooks_answers_as_unknown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hi.integrations.webhooks")
    _, secret = create_webhook("hooktest", "other")
    body = b"{}"
    assert post(body, signed_headers(secret, body),
                path=webhook_path("hooktest", "other")).status_code == 401
    assert WebhookEndpoint.objects.get(hook_id="other").received_count == 0
    assert "accepted" not in caplog.text, "a hook nobody handles is not reported as accepted"
    assert secret not in caplog.text


def test_only_post_is_allowed() -> None:
    create_webhook("hooktest", "doorbell")
    assert Client().get(webhook_path("hooktest", "doorbell")).status_code == 405
