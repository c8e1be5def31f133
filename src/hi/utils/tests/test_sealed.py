"""Secrets sealed at rest (audit finding 5): the database holds tokens, never the secrets; rotation keeps them."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from hi.apps.alarm.models import Channel
from hi.integrations.models import Integration, IntegrationAttribute, WebhookEndpoint
from hi.utils import sealed

pytestmark = pytest.mark.django_db

TOKEN = "ha-long-lived-token-LEAKME123"


@pytest.fixture(autouse=True)
def own_key(settings, tmp_path, monkeypatch):
    """Each test its own data dir, so its key file starts absent."""
    monkeypatch.delenv(sealed.ENV_KEY, raising=False)
    settings.DATA_DIR = tmp_path


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        return [row[0] for row in cursor.fetchall()]


def test_the_database_never_holds_the_secret_and_the_code_reads_it_plain(tmp_path):
    integration = Integration.objects.create(integration_id="hass")
    IntegrationAttribute.objects.create(integration=integration, key="api_token", value=TOKEN, is_secret=True)
    Channel.objects.create(name="phone", url=f"ntfys://user:{TOKEN}@ntfy.example/hi")
    WebhookEndpoint.objects.create(integration=integration, hook_id="door", secret=TOKEN)
    stored = [*_raw("integrations_integrationattribute", "value"), *_raw("alarm_channel", "url"),
              *_raw("integrations_webhookendpoint", "secret")]
    assert len(stored) == 3 and all(value.startswith("sealed:v1:") and TOKEN not in value for value in stored)
    assert integration.attribute_values() == {"api_token": TOKEN}
    assert TOKEN in Channel.objects.get().url
    assert list(WebhookEndpoint.objects.values_list("secret", flat=True)) == [TOKEN]
    key_file = tmp_path / "secrets.key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_plain_values_from_before_are_still_read_and_the_migration_seals_them():
    from django.apps import apps

    integration = Integration.objects.create(integration_id="zoneminder")
    attribute = IntegrationAttribute.objects.create(integration=integration, key="password", value="x")
    with connection.cursor() as cursor:  # as a database from before sealing has it
        cursor.execute("UPDATE integrations_integrationattribute SET value = %s WHERE id = %s", ["hunter2", attribute.pk])
    assert IntegrationAttribute.objects.get().value == "hunter2"  # read during the transition
    forward, backward = sealed.migration_operations("integrations", "IntegrationAttribute", "value")
    forward(apps, None)
    assert _raw("integrations_integrationattribute", "value")[0].startswith("sealed:v1:")
    assert IntegrationAttribute.objects.get().value == "hunter2"

    class Editor:
        connection = connection

    backward(apps, Editor())
    assert _raw("integrations_integrationattribute", "value") == ["hunter2"]


def test_rotation_reseals_everything_under_a_new_key_and_drops_the_old(tmp_path, hi_cli):
    Channel.objects.create(name="phone", url="json://127.0.0.1:9/hook")
    before_key = (tmp_path / "secrets.key").read_bytes()
    before = _raw("alarm_channel", "url")
    status, out, err = hi_cli("secrets", "rotate-key", "--json")
    assert status == 0, err
    assert json.loads(out)["resealed"] == 1
    after_key = (tmp_path / "secrets.key").read_bytes()
    assert after_key != before_key and len(after_key.split()) == 1  # only the new key is left
    assert _raw("alarm_channel", "url") != before
    assert Channel.objects.get().url == "json://127.0.0.1:9/hook"


def test_a_key_from_the_environment_is_used_and_a_wrong_key_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv(sealed.ENV_KEY, sealed.new_key())
    token = sealed.seal("s3cret")
    assert sealed.unseal(token) == "s3cret" and not (tmp_path / "secrets.key").exists()
    monkeypatch.setenv(sealed.ENV_KEY, sealed.new_key())
    with pytest.raises(sealed.SealError, match="cannot be decrypted"):
        sealed.unseal(token)
    with pytest.raises(sealed.SealError, match="HI_SECRETS_KEY"):
        sealed.rotate_key()


@pytest.fixture
def hi_cli(capsys):
    from hi.cli.main import main

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return run
